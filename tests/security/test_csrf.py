"""CSRF sweep (issue 18.5): every route accepting POST, PUT, PATCH or DELETE, posted by a logged-in user of the right
role with no CSRF token, a made-up one, or another session's, is refused with the 400 page ("页面已过期") and no
row of any table changes, the audit log included. The suite's app runs with CSRF on, as production does
(`tests/conftest.py` never turns it off; only `tests.helpers.submit_application` does, for its own service call)."""

from __future__ import annotations

from tests.helpers import text
from tests.security import routes
from tests.security.test_idor import row_counts

# Routes exempt from CSRF on purpose, with the reason; the sweep checks they are still exactly these.
CSRF_EXEMPT = {
    "applications.progress_api": "JSON API (POST /api/v1/progress): reads a status by tracking number and verifier, "
    "changes nothing, uses no cookie or session",
}
# Who posts to a prefix when SIDES names no owner (anonymous forms are posted anonymously).
POSTERS = [("/account/login", "anon"), ("/account/register", "anon"), ("/account/reset", "anon"), ("/progress", "anon")]


def _poster(path: str) -> str:
    for prefix, who in POSTERS:
        if path.startswith(prefix):
            return who
    side = routes.side_of(path)
    return (side[0] if side and side[0] else None) or "A"


def _path(app, rule, ids) -> str:
    values = routes.fill(rule, ids) or {}
    for arg in rule.arguments:
        values.setdefault(arg, {"app_type": "loan", "action": "open"}.get(arg, "1"))
    return routes.build(app, rule, values)


def test_every_state_changing_route_refuses_a_missing_or_wrong_token(app, db, world):
    exempt = {r.endpoint for r in app.url_map.iter_rules() if routes.state_changing(r)} & set(CSRF_EXEMPT)
    assert exempt == set(CSRF_EXEMPT), "CSRF_EXEMPT lists routes that no longer take POST"
    other_session = world.token("B")
    failures, checked = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not routes.state_changing(rule) or rule.endpoint in CSRF_EXEMPT:
            continue
        path = _path(app, rule, world.ids)
        who = _poster(path)
        client = world.client(who)
        for method in routes.state_changing(rule):
            for token in (None, "not-a-token", other_session if who != "B" else world.token("A")):
                data = {"comment": "x", "reason": "x", "action": "submit"}
                if token is not None:
                    data["csrf_token"] = token
                before = row_counts(db, keep_all=True)
                got = client.open(path, method=method, data=data)
                checked += 1
                if got.status_code != 400 or "页面已过期" not in text(got):
                    failures.append(f"{who} {method} {path} token={token and token[:12]} → {got.status_code}")
                if row_counts(db, keep_all=True) != before:
                    failures.append(f"{who} {method} {path} token={token and token[:12]} changed rows")
    assert checked > 150
    assert failures == []
