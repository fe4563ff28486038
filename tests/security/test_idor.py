"""IDOR sweep (issue 18.5): every route with an id, slug or tracking number, filled with objects of A's side (applicant
A, 镇平县人社局, mentor M1, editor E1), asked for by B's side → 404, GET and POST alike, and nothing changes; the owner
sees the GET pages, so the fill is right. Generated from `app.url_map` (tables in tests/security/routes.py)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.security import routes

# Rows a refused request may still write on purpose.
MAY_GROW = {"audit_log", "login_attempt", "outbox_message", "index_event"}


def row_counts(db, keep_all: bool = False) -> dict[str, int]:
    tables = [t for t in db.metadata.sorted_tables if keep_all or t.name not in MAY_GROW]
    row = db.session.execute(
        sa.select(*[sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables])
    ).one()
    return dict(row._mapping)


def parameterised(app):
    return [r for r in app.url_map.iter_rules() if r.arguments and r.endpoint not in routes.NOT_FILLED]


def test_every_parameterised_route_is_filled_or_listed(app):
    unfilled = sorted(
        r.rule for r in parameterised(app) if routes.fill(r, {}) is None or routes.side_of(r.rule) is None
    )
    assert unfilled == [], "fill these in tests/security/routes.py (SOURCES, SIDES) or list them in NOT_FILLED"
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert set(routes.NOT_FILLED) <= endpoints, "NOT_FILLED lists routes that no longer exist"


def test_another_sides_objects_answer_404_everywhere(app, db, world):
    failures = []
    checked = 0
    for rule in sorted(parameterised(app), key=lambda r: r.rule):
        values = routes.fill(rule, world.ids)
        owner, intruders = routes.side_of(rule.rule)
        path = routes.build(app, rule, values)
        methods = (["GET"] if "GET" in rule.methods else []) + routes.state_changing(rule)
        for method in methods:
            if method == "GET" and owner is not None and rule.endpoint not in routes.OWNER_SKIP:
                got = world.client(owner).get(path)
                got.close()
                if got.status_code != 200:
                    failures.append(f"owner {owner} GET {path} → {got.status_code} (the fill is wrong?)")
            for who in [*intruders, "anon"]:
                before = row_counts(db) if method != "GET" else None
                client = world.client(who)
                if method == "GET":
                    got = client.get(path)
                else:
                    got = client.open(path, method=method, data={"csrf_token": world.token(who)})
                got.close()
                checked += 1
                expected = routes.DOCUMENTED.get((rule.endpoint, who), 404)
                if who == "anon":
                    ok = got.status_code == 404 or (
                        got.status_code == 302 and "/account/login" in got.headers.get("Location", "")
                    )
                else:
                    ok = got.status_code == expected
                if not ok:
                    failures.append(f"{who} {method} {path} → {got.status_code}")
                if before is not None and row_counts(db) != before:
                    failures.append(f"{who} {method} {path} changed rows")
    assert checked > 200
    assert failures == []
