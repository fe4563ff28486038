"""The open-data API: same filters as the pages, clear 400s and 404s, an OpenAPI document."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.catalog.models import IncubationBase, Mentor

KINDS = ["counties", "units", "bases", "parks", "projects", "policies", "mentors"]


@pytest.mark.parametrize("kind", KINDS)
def test_list_shape(client, kind):
    response = client.get(f"/api/v1/{kind}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"total", "page", "per_page", "items"}
    assert body["total"] >= len(body["items"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_county_filter_by_name_or_code_matches_the_database(client, db):
    by_name = client.get("/api/v1/bases", query_string={"county": "镇平县", "per_page": 100}).get_json()
    by_code = client.get("/api/v1/bases?county=411324&per_page=100").get_json()
    expected = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(IncubationBase)
        .join(IncubationBase.county)
        .where(sa.text("county.code = '411324'"))
    )
    assert by_name["total"] == by_code["total"] == expected > 0
    assert all(item["county"]["code"] == "411324" for item in by_name["items"])


def test_type_and_level_filters(client):
    stars = client.get("/api/v1/bases?type=star&per_page=100").get_json()
    assert stars["total"] > 0 and all(i["type"] == "star" for i in stars["items"])
    # the Chinese label works as well as the code
    assert client.get("/api/v1/bases", query_string={"type": "星创天地"}).get_json()["total"] == stars["total"]
    national = client.get("/api/v1/bases?level=national").get_json()
    assert all(i["level"] == "national" for i in national["items"])


def test_mentor_filters(client, db):
    body = client.get("/api/v1/mentors?expertise=tax&per_page=100").get_json()
    assert body["total"] > 0 and all("tax" in m["expertise"] for m in body["items"])
    visiting = client.get("/api/v1/mentors?visits=yes&per_page=100").get_json()
    expected = db.session.scalar(sa.select(sa.func.count()).select_from(Mentor).where(Mentor.accepts_visits))
    assert visiting["total"] == expected


@pytest.mark.parametrize(
    "query, field",
    [
        ("county=火星县", "county"),
        ("type=factory", "type"),
        ("level=galactic", "level"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=abc", "page"),
        ("page=-3", "page"),
    ],
)
def test_bad_parameters_give_400_json(client, query, field):
    response = client.get(f"/api/v1/bases?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"]


def test_paging(client):
    first = client.get("/api/v1/mentors?per_page=10&page=1").get_json()
    second = client.get("/api/v1/mentors?per_page=10&page=2").get_json()
    assert first["total"] == second["total"] >= 20
    assert len(first["items"]) == 10
    assert {m["slug"] for m in first["items"]}.isdisjoint({m["slug"] for m in second["items"]})


def test_single_items(client):
    assert client.get("/api/v1/units/city-hrss").get_json()["name"] == "南阳市人力资源和社会保障局"
    assert client.get("/api/v1/counties/411324").get_json()["name"] == "镇平县"
    policy = client.get("/api/v1/policies/nanyang-2021-work-plan").get_json()
    assert policy["doc_number"] == "宛农工创〔2021〕1号"
    first = client.get("/api/v1/bases?per_page=1").get_json()["items"][0]
    one = client.get(f"/api/v1/bases/{first['slug']}").get_json()
    assert one == first


@pytest.mark.parametrize("path", ["/api/v1/bases/no-such-base", "/api/v1/units/nowhere", "/api/v1/widgets"])
def test_unknown_items_give_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_openapi_document_lists_every_endpoint(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for kind in KINDS:
        assert f"/api/v1/{kind}" in doc["paths"]
        names = {p["name"] for p in doc["paths"][f"/api/v1/{kind}"]["get"]["parameters"]}
        assert {"page", "per_page"} <= names
    assert "county" in {p["name"] for p in doc["paths"]["/api/v1/bases"]["get"]["parameters"]}
