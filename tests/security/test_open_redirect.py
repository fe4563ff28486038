"""Open redirects (issue 18.5): every GET route of `app.url_map`, with `next` and the other names a return address
goes by, and the login and registration forms that follow `next` after success, never send anyone off the site."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from tests.helpers import csrf_token
from tests.security import routes
from tests.security.conftest import PASSWORD, PHONES

EVIL = ["//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
        "/\t/evil.example", "http:evil.example", " //evil.example", "/%2F/evil.example"]  # fmt: skip
NAMES = ["next", "return", "return_to", "back", "redirect", "url"]
# Where the portal reads a return address (grep for request.args.get("next") and its like).
READERS = re.compile(r"""request\.(?:args|form|values)\.get\(\s*["'](next|return\w*|back|redirect\w*|url)["']""")
KNOWN_READERS = {"next"}


def _off_site(location: str) -> bool:
    target = location.strip().replace("\\", "/")
    parts = urlsplit(target)
    return (
        bool(parts.scheme and parts.scheme not in ("http", "https"))
        or bool(parts.netloc and parts.netloc != "localhost")
        or target.startswith("//")
    )


def test_the_names_read_are_the_ones_swept():
    found = {m.group(1) for f in Path("portal").rglob("*.py") for m in READERS.finditer(f.read_text("utf-8"))}
    assert found <= KNOWN_READERS | set(NAMES), found


def test_no_get_route_redirects_off_site(app, people_world):
    world = people_world
    failures, redirects = [], 0
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {
            a: {"code": "en", "kind": "bases", "fmt": "csv", "app_type": "loan"}.get(a, "1") for a in rule.arguments
        }
        paths.append(routes.build(app, rule, values) if rule.arguments else rule.rule)
    for who in ("anon", "A"):  # logged in: /account/login follows `next` at once
        client = world.client(who)
        # the routes that redirect with a return address at all get every hostile value
        probe = "&".join(f"{name}=/privacy" for name in NAMES)
        redirecting = [
            p for p in sorted(set(paths)) if client.get(f"{p}?{probe}").status_code in (301, 302, 303, 307, 308)
        ]
        for path in redirecting:
            for evil in EVIL:
                query = "&".join(f"{name}={quote(evil, safe='')}" for name in NAMES)
                response = client.get(f"{path}?{query}")
                response.close()
                location = response.headers.get("Location", "")
                if response.status_code in (301, 302, 303, 307, 308):
                    redirects += 1
                    if _off_site(location):
                        failures.append(f"{who} {path} {evil!r} → {location}")
    assert redirects > 50
    assert failures == []


def test_login_and_register_follow_only_same_site_next(app, people_world):
    for evil in EVIL:
        client = app.test_client()
        token = csrf_token(client, "/account/login")
        response = client.post(f"/account/login?next={quote(evil, safe='')}",
                               data={"csrf_token": token, "phone": PHONES["B"], "password": PASSWORD})  # fmt: skip
        assert response.status_code == 302
        assert not _off_site(response.headers["Location"]), (evil, response.headers["Location"])
    client = app.test_client()
    token = csrf_token(client, "/account/login")
    response = client.post("/account/login?next=/my/applications",
                           data={"csrf_token": token, "phone": PHONES["A"], "password": PASSWORD})  # fmt: skip
    assert response.headers["Location"].endswith("/my/applications")  # a same-site `next` is followed
