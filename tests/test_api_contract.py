"""The API says what it accepts: 405 carries `Allow`, closed filters declare their values, and they are exactly
the values the API accepts."""

from __future__ import annotations

import pytest

from tests.helpers import text

KINDS = ("counties", "units", "bases", "parks", "projects", "policies", "mentors")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_api_405_carries_allow_and_a_json_error(client, method):
    response = getattr(client, method)("/api/v1/bases")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert "POST" not in response.headers["Allow"]
    assert response.json["error"]["status"] == 405


def test_page_405_carries_allow_too(client, en_client):
    response = client.post("/about")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert "请求方式不对" in text(response)
    assert "GET" in en_client.delete("/policies/").headers["Allow"]


def _list_operations(document):
    for kind in KINDS:
        yield kind, document["paths"][f"/api/v1/{kind}"]["get"]


def test_every_filter_declares_its_closed_set_of_values(client):
    document = client.get("/api/v1/openapi.json").json
    filters = 0
    for _kind, operation in _list_operations(document):
        for parameter in operation["parameters"]:
            if parameter["name"] in ("page", "per_page"):
                assert parameter["schema"]["type"] == "integer" and parameter["schema"]["maximum"] >= 100
                continue
            filters += 1
            assert parameter["schema"]["enum"], parameter["name"]
    assert filters >= 10
    units = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/units"]["get"]["parameters"]}
    assert {"镇平县", "411324", "Zhenping County"} <= set(units["county"]["enum"])
    assert "hrss" in units["dept"]["enum"] and units["type"] == units["dept"], "an alias shares the enum"
    mentors = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/mentors"]["get"]["parameters"]}
    assert {"yes", "no", "true", "false"} <= set(mentors["visits"]["enum"])


def test_declared_values_are_accepted_and_others_refused(client):
    document = client.get("/api/v1/openapi.json").json
    for kind, operation in _list_operations(document):
        for parameter in operation["parameters"]:
            if "enum" not in parameter["schema"]:
                continue
            name = parameter["name"]
            for value in parameter["schema"]["enum"][:40]:
                response = client.get(f"/api/v1/{kind}", query_string={name: value, "per_page": 1})
                assert response.status_code == 200, (kind, name, value)
            refused = client.get(f"/api/v1/{kind}", query_string={name: "not-a-value"})
            assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_parameter", (kind, name)


@pytest.mark.parametrize("query", ["county=", "page=", "per_page=%20", "dept="])
def test_an_empty_parameter_is_refused_by_the_api_but_ignored_on_pages(client, query):
    response = client.get(f"/api/v1/units?{query}")
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_parameter"
    assert client.get(f"/units/?{query}").status_code == 200


def test_path_values_declare_what_the_guard_refuses(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/units/{code}"]["get"]
    assert "pattern" in operation["parameters"][0]["schema"] and "400" in operation["responses"]
    assert client.get("/api/v1/units/%01").status_code == 400
