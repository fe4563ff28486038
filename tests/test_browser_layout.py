"""The phone layout in a real browser (Debian's Chromium driven by Playwright) at 360×780 and 1280×900: the page's
own heading on the first screen, a compact header, the apply button of a policy guide without scrolling, tap
targets a thumb can hit, nothing wider than the screen. Skipped, saying why, where Chromium is not installed."""

from __future__ import annotations

import os
import threading

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.committing]

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
PAGES = ["/", "/policies/", "/bases/", "/mentors/", "/visits/", "/units/", "/progress", "/account/login"]


@pytest.fixture(scope="module")
def live_url(isolated_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, isolated_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it with apt-get when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def page_in(browser, viewport: dict, locale: str):
    context = browser.new_context(viewport=viewport, locale="zh-CN" if locale == "zh" else "en-US")
    context.add_cookies(
        [{"name": "lang", "value": "zh_Hans_CN" if locale == "zh" else "en", "url": "http://127.0.0.1"}]
    )
    return context, context.new_page()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_on_a_phone_the_header_is_compact_and_the_heading_is_on_the_first_screen(browser, live_url, locale):
    context, page = page_in(browser, PHONE, locale)
    try:
        for path in PAGES:
            page.goto(live_url + path)
            header = box(page, "header.site-header")
            assert header["height"] < 160, f"{path}: the header takes {header['height']:.0f} px of 780"
            heading = box(page, "main h1")
            assert heading["y"] + heading["height"] <= PHONE["height"], f"{path}: the h1 is below the first screen"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path}: the page is {width} px wide on a 360 px screen"
    finally:
        context.close()


def test_a_policy_guide_offers_the_application_without_scrolling(browser, live_url):
    context, page = page_in(browser, PHONE, "zh")
    try:
        page.goto(live_url + "/policies/")
        guides = page.locator("main .list a.item-title").evaluate_all("els => els.map(e => e.href)")
        checked = 0
        for href in guides:
            page.goto(href)
            button = page.locator("main .apply-now a")
            if button.count() == 0:
                continue
            found = button.first.bounding_box()
            assert found["y"] + found["height"] <= PHONE["height"], f"{href}: apply button at {found['y']:.0f} px"
            checked += 1
        assert checked >= 1, "at least one guide leads to an application"
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_links_a_thumb_uses_are_big_enough(browser, live_url, locale):
    context, page = page_in(browser, PHONE, locale)
    try:
        page.goto(live_url + "/policies/")
        sizes = page.evaluate(
            """() => [...document.querySelectorAll(
                 'header a, header button, nav a, .breadcrumb a, footer a, main .list a.item-title')]
               .filter(e => e.getClientRects().length)
               .map(e => { const r = e.getBoundingClientRect();
                           const card = e.closest('li.card');
                           const target = card && e.classList.contains('item-title') ? card.getBoundingClientRect() : r;
                           return [e.textContent.trim().slice(0, 12), target.width, target.height]; })"""
        )
        small = [(text, round(w), round(h)) for text, w, h in sizes if h < 44 or w < 24]
        assert sizes and small == [], f"targets under 44 px high (or 24 px wide): {small}"
    finally:
        context.close()


def test_on_a_desktop_every_section_is_in_the_header(browser, live_url):
    context, page = page_in(browser, DESKTOP, "zh")
    try:
        page.goto(live_url + "/")
        assert page.locator("header form.header-search").is_visible()
        assert not page.locator("nav .nav-search").is_visible(), "the search box is there; no extra link"
        assert page.locator("header .brand-long").is_visible()
        assert box(page, "main h1")["y"] < 400
    finally:
        context.close()


ANONYMOUS_PAGES = [*PAGES, "/policies/government-guarantee-bodies-2025", "/parks/", "/projects/", "/account/register",
                   "/stats/", "/ventures/", "/stories/", "/events/", "/events/?when=past"]  # fmt: skip
APPLICANT_PAGES = ["/my/applications", "/apply/training", "/apply/mentoring", "/apply/loan", "/messages/", "/registry/",
                   "/registry/new", "/surveys/", "/my/ventures", "/my/ventures/new", "/my/events"]  # fmt: skip
OFFICE_PAGES = ["/office/", "/office/targets", "/office/offline", "/office/queues", "/staff/registrations",
                "/staff/surveys", "/staff/surveys/new", "/staff/ventures", "/staff/ventures/shortlists",
                "/staff/ventures/recommendations", "/staff/events", "/staff/events/new", "/events/{event_id}",
                "/staff/events/{event_id}", "/staff/events/{event_id}/door"]  # fmt: skip


def log_in(page, live_url: str, phone: str, password: str) -> None:
    page.goto(live_url + "/account/login")
    page.fill("#phone", phone)
    page.fill("#password", password)
    page.click("main form button[type=submit]")


def walk(page, live_url: str, paths: list[str], viewport: dict, **values) -> dict:
    """Each page's serious accessibility violations; none may be wider than the screen."""
    found = {}
    for path in paths:
        page.goto(live_url + path.format(**values))
        found[path] = serious_violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} is {width} px wide on a {viewport['width']} px screen"
    return found


def serious_violations(page) -> list[tuple[str, str, str]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], v["nodes"][0]["target"][0] if v["nodes"] else "")
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def applicant_account(isolated_app):
    from portal.accounts import services
    from portal.extensions import db

    with isolated_app.app_context():
        services.create_user("applicant", "13911112233", "浏览器", "good-pass-2026")
        db.session.commit()
    return "13911112233", "good-pass-2026"


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_no_serious_accessibility_violations_on_any_page_type(browser, live_url, applicant_account, locale):
    context, page = page_in(browser, PHONE, locale)
    try:
        found = {}
        for path in ANONYMOUS_PAGES:
            page.goto(live_url + path)
            found[path] = serious_violations(page)
        phone, password = applicant_account
        page.goto(live_url + "/account/login")
        page.fill("#phone", phone)
        page.fill("#password", password)
        page.click("main form button[type=submit]")
        for path in APPLICANT_PAGES:
            page.goto(live_url + path)
            found[path] = serious_violations(page)
        page.goto(live_url + "/apply/loan")
        page.click("button[value=submit]")  # every field's message shown at once
        found["/apply/loan (errors)"] = serious_violations(page)
        assert {path: v for path, v in found.items() if v} == {}
    finally:
        context.close()


@pytest.fixture(scope="module")
def office_account(isolated_app):
    from portal.accounts import services
    from portal.extensions import db

    with isolated_app.app_context():
        services.create_user("office", "13911112244", "办公室", "good-pass-2026", unit_code="city-office")
        db.session.commit()
    return "13911112244", "good-pass-2026"


@pytest.fixture(scope="module")
def office_event(isolated_app) -> int:
    """The demo events (`flask events demo`); the id of the office's upcoming 投资对接会 (its desk, its door)."""
    import sqlalchemy as sa

    from portal.events.demo import make_demo_events
    from portal.events.models import Event
    from portal.extensions import db

    with isolated_app.test_request_context():
        make_demo_events()
        db.session.commit()
        return db.session.scalar(sa.select(Event.id).where(Event.sample, Event.kind == "matchmaking"))


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_no_serious_accessibility_violations_on_office_pages(browser, live_url, office_account, office_event, locale):
    """The leading group's pages, on a phone and on a desk: no serious violations, charts with text alternatives."""
    for viewport in (PHONE, DESKTOP):
        context, page = page_in(browser, viewport, locale)
        try:
            log_in(page, live_url, office_account[0], office_account[1])
            found = walk(page, live_url, OFFICE_PAGES, viewport, event_id=office_event)
            page.goto(live_url + "/office/")
            assert page.locator("main img[src^='data:image/svg+xml']").count() >= 4
            assert all(alt for alt in page.locator("main img").evaluate_all("els => els.map(e => e.alt)"))
            assert {path: v for path, v in found.items() if v} == {}
        finally:
            context.close()


EDITOR_PAGES = ["/editorial/", "/editorial/policies/", "/editorial/policies/new",
                "/editorial/policies/government-guarantee-bodies-2025/edit",
                "/editorial/policies/government-guarantee-bodies-2025/history",
                "/editorial/policies/government-guarantee-bodies-2025/unpublish", "/editorial/mentors/new",
                "/editorial/stories/", "/editorial/stories/new"]  # fmt: skip


@pytest.fixture(scope="module")
def editor_account(isolated_app):
    from portal.accounts import services
    from portal.extensions import db

    with isolated_app.app_context():
        services.create_user("editor", "13911112255", "编辑", "good-pass-2026")
        db.session.commit()
    return "13911112255", "good-pass-2026"


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_no_serious_accessibility_violations_on_editor_pages(browser, live_url, editor_account, locale):
    """The editors' pages on a phone and on a desk, with a preview and with every field's message shown."""
    for viewport in (PHONE, DESKTOP):
        context, page = page_in(browser, viewport, locale)
        try:
            log_in(page, live_url, editor_account[0], editor_account[1])
            found = walk(page, live_url, EDITOR_PAGES, viewport)
            page.goto(live_url + "/editorial/policies/government-guarantee-bodies-2025/edit")
            page.click("button[value=preview]")
            assert page.locator("#preview-heading").count() == 1
            found["preview"] = serious_violations(page)
            page.goto(live_url + "/editorial/bases/new")
            page.click("button[value=save]")
            found["/editorial/bases/new (errors)"] = serious_violations(page)
            assert {path: v for path, v in found.items() if v} == {}
        finally:
            context.close()


RULES_PAGES = ["/admin/calendar", "/admin/routing", "/admin/routing?type=loan&county=411330&collateral=forest#h-try",
               "/admin/routing/propose", "/admin/routing/changes/{change_id}"]  # fmt: skip


@pytest.fixture(scope="module")
def rules_admin_account(isolated_app):
    """An administrator (the rules pages, /admin/calendar and /admin/routing) with a routing draft to review."""
    from portal.accounts import services
    from portal.extensions import db
    from portal.rules import operations, routing_text

    with isolated_app.test_request_context():
        user = services.create_user("admin", "13911112266", "管理员", "good-pass-2026")
        text = routing_text.current_text().replace("loan: 15", "loan: 16")
        change = operations.propose_routing(user, text, "浏览器测试")
        db.session.commit()
        return "13911112266", "good-pass-2026", change.id


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_no_serious_accessibility_violations_on_the_rules_pages(browser, live_url, rules_admin_account, locale):
    """Holidays and routing rules, on a phone and on a desk, also with every calendar field's message shown."""
    phone, password, change_id = rules_admin_account
    for viewport in (PHONE, DESKTOP):
        context, page = page_in(browser, viewport, locale)
        try:
            log_in(page, live_url, phone, password)
            found = walk(page, live_url, RULES_PAGES, viewport, change_id=change_id)
            page.goto(live_url + "/admin/calendar")
            page.fill("#off", "2026-02-30")
            page.fill("#workdays", "2026-03-04")
            page.click("main form button[type=submit]")
            assert page.locator("#off-error").count() == 1
            found["/admin/calendar (errors)"] = serious_violations(page)
            assert {path: v for path, v in found.items() if v} == {}
        finally:
            context.close()


ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/users/new", "/admin/units", "/admin/units/new",
               "/admin/units/411324-hrss/edit", "/admin/audit"]  # fmt: skip


@pytest.fixture(scope="module")
def admin_account(isolated_app):
    from portal.accounts import services
    from portal.extensions import db

    with isolated_app.app_context():
        services.create_user("admin", "13911112277", "管理员", "good-pass-2026")
        db.session.commit()
    return "13911112277", "good-pass-2026"


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_no_serious_accessibility_violations_on_admin_pages(browser, live_url, admin_account, locale):
    """The back office, on a phone and on a desk: no serious violations, nothing wider than the screen."""
    for viewport in (PHONE, DESKTOP):
        context, page = page_in(browser, viewport, locale)
        try:
            log_in(page, live_url, admin_account[0], admin_account[1])
            found = walk(page, live_url, ADMIN_PAGES, viewport)
            page.goto(live_url + "/admin/units/new")
            page.click("main form button[type=submit]")  # every field's message shown at once
            found["/admin/units/new (errors)"] = serious_violations(page)
            assert {path: v for path, v in found.items() if v} == {}
        finally:
            context.close()
