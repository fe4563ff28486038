"""Role matrix (issue 18.5): every GET route without parameters in `app.url_map`, asked by a visitor and by each role,
answers what the prefix rules below say (200 shown, 302 to the login or away from it, 404 hidden, 403 refused), with
the exceptions named one by one. A new route under a known prefix is covered by its rule; a route under no rule
fails until it is given one."""

from __future__ import annotations

from tests.security import routes

ROLES = {"anonymous": "anon", "applicant": "A", "mentor": "M1", "staff": "ZP", "office": "office", "editor": "E1",
         "admin": "admin"}  # fmt: skip
LOGGED_IN = [r for r in ROLES if r != "anonymous"]


def only(*roles: str) -> dict[str, int]:
    """Shown to these roles, hidden (404) from the other logged-in roles, the login for visitors."""
    return {"anonymous": 302, **{r: 200 if r in roles else 404 for r in LOGGED_IN}}


PUBLIC = dict.fromkeys(ROLES, 200)
ANY_ACCOUNT = {"anonymous": 302, **dict.fromkeys(LOGGED_IN, 200)}

# First matching prefix wins. The staff's unit ZP is 镇平县人社局 and its lead (county leads see their dashboard).
PREFIX_RULES: list[tuple[str, dict[str, int]]] = [
    ("/admin/", only("admin")),
    ("/editorial/", only("editor", "admin")),  # admins read the desk, editors write
    ("/mentor/", only("mentor")),
    ("/my/", only("applicant")),
    ("/registry/", only("applicant")),
    ("/office/", only("office", "admin", "staff")),  # the dashboard: office, admin, and a county's unit lead
    ("/staff/", only("staff", "office", "admin")),
    ("/messages/", ANY_ACCOUNT),
    ("/surveys/", ANY_ACCOUNT),
    ("/account/password", ANY_ACCOUNT),
    ("/account/login", {"anonymous": 200, **dict.fromkeys(LOGGED_IN, 302)}),  # logged in: sent on
    ("/account/register", {"anonymous": 200, **dict.fromkeys(LOGGED_IN, 302)}),
    ("/account/", None),  # each account page is an exception below
    ("/", PUBLIC),  # everything else is public
]

# Exceptions to the prefix rules, route by route: path -> {role: status} (the reason in a comment).
EXCEPTIONS: dict[str, dict[str, int]] = {
    "/account/dev/outbox": dict.fromkeys(ROLES, 404),  # development outbox: only with PORTAL_DEV_OUTBOX
    "/account/reset": PUBLIC,  # a forgotten password is reset logged in or not
    "/editorial/stories/new": {"admin": 404},  # admins read stories, editors write them
    "/my/applications": dict.fromkeys(["mentor", "staff", "office", "editor", "admin"], 403),  # "for applicants"
    "/messages/settings": {"office": 404, "editor": 404, "admin": 404},  # SMS settings: applicants, mentors, staff
    "/office/queues": {"staff": 404},  # the units' queue health: office and admin
    "/office/ratings": {"staff": 404},
    "/office/targets": {"staff": 404},
    "/staff/events": {"admin": 404},  # units and the office organise events; admins do not
    "/staff/events/new": {"admin": 404},
    "/staff/surveys": {"admin": 404},
    "/staff/surveys/new": {"admin": 404},
    "/staff/ratings": {"office": 404, "admin": 404},  # a unit's own ratings and follow-ups
    "/staff/registrations/import": {"office": 404, "admin": 404},  # a county 人社局's own work
    "/staff/registrations/new": {"office": 404, "admin": 404},
    "/staff/visits": {"office": 404, "admin": 404},  # the confirming county unit decides on visits
}


def expected(path: str) -> dict[str, int] | None:
    base = next((rule for prefix, rule in PREFIX_RULES if path.startswith(prefix)), None)
    if base is None and path not in EXCEPTIONS:
        return None
    return {**(base or {}), **EXCEPTIONS.get(path, {})}


def plain_get_routes(app) -> list[str]:
    return sorted(r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments)


def test_every_plain_get_route_is_classified(app):
    unclassified = [p for p in plain_get_routes(app) if (e := expected(p)) is None or set(e) != set(ROLES)]
    assert unclassified == [], "give these a prefix rule or an exception in tests/security/test_role_matrix.py"
    assert set(EXCEPTIONS) <= set(plain_get_routes(app)), "EXCEPTIONS lists routes that no longer exist"


def test_role_matrix(app, people_world):
    world = people_world
    got, want = {}, {}
    for path in plain_get_routes(app):
        for role, who in ROLES.items():
            response = world.client(who).get(path)
            response.close()
            status = response.status_code
            if status == 302 and role == "anonymous":
                assert "/account/login" in response.headers["Location"], path  # sent to the login, with `next`
            got[(path, role)] = status
            want[(path, role)] = expected(path)[role]
    differences = {k: f"got {got[k]}, expected {want[k]}" for k in got if got[k] != want[k]}
    assert differences == {}
    assert len(got) > 300


def test_the_matrix_agrees_with_the_idor_sides(app):
    """The owner SIDES name for a prefix is shown that prefix's plain pages (one table cannot drift from the other)."""
    owners = {"A": "applicant", "M1": "mentor", "ZP": "staff", "office": "office", "E1": "editor", "admin": "admin"}
    for prefix, owner, _ in routes.SIDES:
        if owner in owners and prefix != "/staff/items/":
            rule = next(r for p, r in PREFIX_RULES if prefix.startswith(p))
            assert rule[owners[owner]] == 200, prefix
