"""XSS and formula injection (issue 18.5): the world's free texts (applications, inbox, registry, projects, shortlists,
events, surveys, stories, consents, routing notes, targets, grants) were typed through the real forms and services
with `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, a `javascript:` link and `=HYPERLINK(…)`.
Every GET route of `app.url_map` is then read by every role (and the parameterised ones by their owner): no page
carries a payload unescaped or a `javascript:` link, and no CSV or XLSX export carries a live formula."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.helpers import csrf_token, text
from tests.security import routes
from tests.security.conftest import IMG, JS_URL, SCRIPT
from tests.security.test_role_matrix import ROLES
from tests.test_events import form_data as event_form

JS_LINK = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formula(value) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if value[0] in "+-" and re.fullmatch(r"[+-]?\d+(\.\d+)?", value):
        return False  # a signed number is a number
    return value.startswith(FORMULA_START)


def _pages(app, world) -> list[tuple[str, str]]:
    """(who, path) for every GET route: the plain ones by every role, the parameterised ones by their owner."""
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in ("static", "core.set_language"):
            continue
        if not rule.arguments:
            pages += [(who, rule.rule) for who in ROLES.values()]
            continue
        values = routes.fill(rule, world.ids)
        side = routes.side_of(rule.rule)
        if values is None or side is None or side[0] is None:
            continue
        pages.append((side[0], routes.build(app, rule, values)))
    # the published event is public; the draft stands in for it in SIDES
    pages += [("anon", f"/events/{world.ids['event_id']}"), ("B", f"/events/{world.ids['event_id']}"),
              ("anon", f"/events/{world.ids['event_id']}.ics"), ("ZP", "/staff/queue/export.csv"),
              ("ZP", "/staff/queue/export.xlsx"), ("item_staff", "/staff/queue/export.csv"),
              ("item_staff", "/staff/queue/export.xlsx")]  # fmt: skip
    return pages


def test_no_page_or_export_shows_a_payload_unescaped(app, world):
    failures, escaped_pages, exports, neutralised = [], set(), 0, 0
    for who, path in _pages(app, world):
        response = world.client(who).get(path)
        body = response.get_data()
        response.close()
        if response.status_code != 200:
            continue
        mimetype = response.mimetype
        if mimetype in ("text/html", "application/json", "text/calendar", "text/plain"):
            page = body.decode("utf-8", "replace")
            for payload in (SCRIPT, IMG):
                # calendars, JSON and plain text are not markup: the payload is data there (nosniff is sent)
                if mimetype == "text/html" and payload in page:
                    failures.append(f"{who} {path}: {payload} unescaped")
            if mimetype == "text/html" and JS_LINK.search(page):
                failures.append(f"{who} {path}: a javascript: link")
            if "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "\\u003cscript\\u003e" in page:
                escaped_pages.add(path)
        elif mimetype == "text/csv" or path.endswith(".xlsx"):
            exports += 1
            if mimetype == "text/csv":
                cells = [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
            else:
                book = load_workbook(io.BytesIO(body))
                cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
                failures += [f"{who} {path}: formula cell" for sheet in book for row in sheet.iter_rows()
                             for c in row if c.data_type == "f"]  # fmt: skip
            failures += [f"{who} {path}: cell {c[:40]!r} starts like a formula" for c in cells if _formula(c)]
            neutralised += sum(isinstance(c, str) and c.startswith("'=HYPERLINK") for c in cells)
    assert failures == [], "\n".join(failures)
    # the payloads did reach the pages (escaped) and the exports (neutralised): the check was not vacuous
    assert len(escaped_pages) >= 15, sorted(escaped_pages)
    assert exports >= 6 and neutralised >= 1, (exports, neutralised)


def test_a_javascript_link_is_refused_at_the_form(app, people_world):
    world = people_world
    """Fields that become links take http(s) only: an event's online link."""
    zp = world.client("ZP")
    data = event_form(csrf_token(zp, "/staff/events/new"), place_kind="online", online_url=JS_URL)
    response = zp.post("/staff/events/new", data=data)
    assert response.status_code == 400
    assert "请填写以 https:// 或 http:// 开头的参会链接。" in text(response)
