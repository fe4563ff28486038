"""No page answers 500: every GET route, with odd query strings, as a visitor and as each role."""

from __future__ import annotations

import pytest

from portal.extensions import limiter
from tests.helpers import login, make_user

ODD = ["", "?page=-1", "?page=abc&county=%ff", "?q=%00%ff" + "长" * 300, "?type=<x>&state=zzz&after=!!!&month=13-99"]


def routes(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {
            "slug": "no-such",
            "code": "no-such",
            "kind": "bases",
            "key": "x",
            "tracking_no": "NY-2026-DB-999999",
            "token": "nope",
            "fmt": "csv",
            "app_type": "loan",
        }
        sample = {arg: values.get(arg, "1") for arg in rule.arguments}  # fmt: skip
        paths.append(rule.build(sample, append_unknown=False)[1])
    return sorted(set(paths))


def client_as(app, db, role: str):
    """A test client logged in as a new user of `role` (or not logged in, for "anonymous")."""
    limiter.reset()
    client = app.test_client()
    if role != "anonymous":
        phone = {
            "applicant": "13111110001",
            "staff": "13111110002",
            "office": "13111110003",
            "editor": "13111110004",
            "admin": "13111110005",
        }[role]
        extra = {"staff": {"unit_code": "411324-hrss"}, "office": {"unit_code": "city-office"}}.get(role, {})
        make_user(db, role=role, phone=phone, **extra)
        login(client, phone, "good-pass-2026")
    return client


@pytest.mark.parametrize("role", ["anonymous", "applicant", "staff", "office", "editor", "admin"])
def test_every_get_route_answers_without_a_server_error(app, db, role):
    client = client_as(app, db, role)
    failures = []
    for path in routes(app):
        for query in ODD:
            response = client.get(path + query)
            # bytes: some routes answer with files (the registry's XLSX template), not text
            if response.status_code >= 500 or b"Traceback" in response.get_data():
                failures.append((path + query[:40], response.status_code))
            response.close()
    assert failures == []


def test_when_the_error_page_itself_fails_the_plain_page_keeps_the_status(client, monkeypatch):
    """The database down: the error template cannot render, and the portal still answers its own 404 (found by
    bench/load.py --faults: the fallback was a bare Response where a (body, status) pair was unpacked)."""
    import portal.core.errors as errors

    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(errors, "render_template", broken)
    response = client.get("/no-such-page-here")
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)
