"""Issue 18 point 1 and the keyboard part of point 2: whole journeys in a real browser (Debian's Chromium driven by
Playwright) against the portal served by gunicorn on 127.0.0.1, on a 360×780 phone and a 1280×900 desktop.

- A returning worker registers (the SMS code read from the development outbox page), searches 担保贷款, reads the
  guide, applies for a loan with an attachment, saves a draft, comes back, submits and gets the receipt; staff claim
  it and ask for material, the applicant answers, staff accept, the co-reviewing units agree, staff approve, the
  applicant sees it and rates it. Once with the applicant on a phone (staff at a desk), once the other way round.
- A mentor books a visit on a phone, staff confirm it at a desk, an entrepreneur signs up on a phone.
- An editor changes a policy guide and a second editor publishes it; the public page shows it.
- The loan form completed with the keyboard only (Tab, typing, Space, arrows, Enter), the focus visible throughout.

Each step leaves a screenshot under test-artifacts/<journey>/. Skipped, saying why, where Chromium is not installed.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest

from tests.browser import CHROMIUM, DESKTOP, PHONE, Screens, gunicorn, launch_chromium
from tests.helpers import PDF, id_number

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.committing]

PASSWORD = "good-pass-2026"
STAFF = {"lead": "13922220001", "finance": "13922220002", "pbc": "13922220003"}
MENTOR, ENTREPRENEUR, EDITOR_A, EDITOR_B = "13922220004", "13922220005", "13922220006", "13922220007"
KEYBOARD_APPLICANT = "13922220008"
GUIDE = "guarantee-loan-national"


@pytest.fixture(scope="module")
def portal(isolated_app):
    """The portal under gunicorn on a throwaway database (content loaded, search index built) with the people the
    journeys need; yields its base URL."""
    import sqlalchemy as sa

    from portal.accounts import services
    from portal.catalog.models import Mentor
    from portal.extensions import db
    from portal.search import index

    with isolated_app.app_context():
        store = index.for_app(isolated_app)
        store.rebuild()
        store.close()
        mentor_slug = db.session.scalar(
            sa.select(Mentor.slug).where(Mentor.accepts_visits).order_by(Mentor.slug).limit(1)
        )
        services.create_user("staff", STAFF["lead"], "镇平经办", PASSWORD, unit_code="411324-hrss", unit_lead=True)
        services.create_user("staff", STAFF["finance"], "镇平财政", PASSWORD, unit_code="411324-finance")
        services.create_user("staff", STAFF["pbc"], "人行经办", PASSWORD, unit_code="city-pbc")
        services.create_user("mentor", MENTOR, "乡村行导师", PASSWORD, mentor_slug=mentor_slug)
        services.create_user("applicant", ENTREPRENEUR, "报名创业者", PASSWORD)
        services.create_user("applicant", KEYBOARD_APPLICANT, "键盘用户", PASSWORD)
        services.create_user("editor", EDITOR_A, "编辑甲", PASSWORD)
        services.create_user("editor", EDITOR_B, "编辑乙", PASSWORD)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # the server in another process uses the database next
    with gunicorn(isolated_app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it with apt-get when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


class Person:
    """One person at their own device: a browser context (own cookies) with one page."""

    def __init__(self, browser, base: str, viewport: dict, shots: Screens, who: str) -> None:
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base, self.shots, self.who = base, shots, who

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response.status < 400, f"{path}: {response.status}"

    def shot(self, step: str) -> None:
        self.shots(self.page, f"{self.who}-{step}")

    def sees(self, *texts: str) -> None:
        body = self.page.locator("main").inner_text()
        for text in texts:
            assert text in body, f"{self.page.url}: {text!r} not on the page:\n{body[:2000]}"

    def click(self, name: str, role: str = "button") -> None:
        """Click a button or link that leads to another page, and wait for that page."""
        self.follow(self.page.get_by_role(role, name=name, exact=True).first)

    def follow(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()

    def log_in(self, phone: str, password: str = PASSWORD) -> None:
        self.go("/account/login")
        self.page.fill("#phone", phone)
        self.page.fill("#password", password)
        self.follow(self.page.locator("main form button[type=submit]"))
        assert "/account/login" not in self.page.url, self.page.locator("main").inner_text()[:500]

    def close(self) -> None:
        self.context.close()


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def sms_code(person: Person, phone: str) -> str:
    """The code the SMS gateway would have sent, read from the development outbox page."""
    outbox = person.context.new_page()
    try:
        outbox.goto(person.base + "/account/dev/outbox")
        entry = outbox.locator("main li", has_text=phone).first.inner_text()
        return re.search(r"验证码(\d{6})", entry).group(1)
    finally:
        outbox.close()


def staff_opens(person: Person, tracking_no: str) -> None:
    person.go("/staff/queue")
    person.follow(person.page.get_by_role("link", name=tracking_no, exact=True).first)


@pytest.mark.parametrize(
    "applicant_screen, staff_screen, phone",
    [(PHONE, DESKTOP, "13722220001"), (DESKTOP, PHONE, "13722220002")],
    ids=["applicant-on-phone", "applicant-on-desktop"],
)
def test_a_returning_worker_applies_for_a_loan_and_rates_the_decision(
    browser, portal, applicant_screen, staff_screen, phone
):
    shots = Screens("loan-" + ("phone" if applicant_screen is PHONE else "desktop"))
    me = Person(browser, portal, applicant_screen, shots, "applicant")
    staff = {who: Person(browser, portal, staff_screen, shots, who) for who in STAFF}
    try:
        # registers with the SMS code
        me.go("/")
        me.shot("home")
        me.follow(me.page.get_by_role("link", name="注册", exact=True).first)
        me.page.fill("#phone", phone)
        me.click("获取验证码")
        me.sees("验证码已发送")
        me.page.fill("#code", sms_code(me, phone))
        me.page.fill("#name", "李返乡")
        me.page.fill("#password", "spring-field-9")
        me.page.fill("#password2", "spring-field-9")
        me.page.check("#consent")
        me.shot("register")
        me.click("注册")
        assert "退出" in me.page.locator("header").inner_text(), "registered and logged in"

        # searches 担保贷款 and reads the guide
        me.go("/")
        me.page.fill("#site-q", "担保贷款")
        with me.page.expect_navigation():
            me.page.press("#site-q", "Enter")
        me.sees("担保贷款")
        me.shot("search")
        me.follow(me.page.locator(f"main a.item-title[href$='/policies/{GUIDE}']").first)
        assert me.page.locator("main h1").inner_text()
        me.shot("guide")
        me.follow(me.page.get_by_role("link", name="在线申请").first)
        assert me.page.url.endswith("/apply/loan")

        # fills in the loan form with an attachment and saves a draft
        me.page.fill("#applicant_name", "李返乡")
        me.page.fill("#id_number", id_number(seq=phone[-3:]))
        me.page.fill("#phone", phone)
        me.page.select_option("#county", "411324")
        me.page.fill("#township", "石佛寺镇")
        me.page.select_option("#applicant_type", "individual")
        me.page.select_option("#group", "returning_migrant")
        me.page.fill("#amount_wan", "20")
        me.page.fill("#term_months", "24")
        me.page.fill("#purpose", "购买玉雕设备，开一间工作室")
        me.page.select_option("#collateral", "none")
        me.page.set_input_files("#business_plan", pdf("创业计划书.pdf"))
        me.shot("loan-form")
        me.click("保存草稿")
        me.sees("草稿已保存")

        # comes back later: the answers and the file are there; submits and gets the receipt
        me.go("/my/applications")
        me.go("/apply/loan")
        me.sees("这是您保存的草稿", "创业计划书.pdf")
        assert me.page.input_value("#purpose") == "购买玉雕设备，开一间工作室"
        me.shot("draft-again")
        for box in me.page.locator("main input[type=checkbox][name^=statement_]").all():
            box.check()
        me.page.check("#consent")
        me.follow(me.page.locator("main .actions-row button[value=submit]"))
        me.sees("申请已提交", "回执")
        tracking_no = re.search(r"编号\s*([A-Z0-9-]+)", me.page.locator("main").inner_text()).group(1)
        me.shot("receipt")

        # staff claim it and ask for material
        lead = staff["lead"]
        lead.log_in(STAFF["lead"])
        staff_opens(lead, tracking_no)
        lead.click("认领")
        lead.sees("已认领")
        lead.page.fill("#missing", "近三个月的银行流水")
        lead.page.fill("#rm-message", "请补交银行流水")
        lead.shot("request-material")
        lead.click("要求补正")
        lead.sees("已通知申请人补正材料")

        # the applicant answers with a file
        me.go(f"/my/applications/{tracking_no}")
        me.sees("近三个月的银行流水")
        me.page.set_input_files("#files", pdf("银行流水.pdf"))
        me.shot("material-requested")
        me.click("提交补正材料")
        me.sees("银行流水.pdf")
        me.shot("material-sent")

        # staff accept and approve; finance and the central bank agree; staff approve at last
        staff_opens(lead, tracking_no)
        lead.click("受理")
        lead.sees("已受理")
        lead.click("批准")
        lead.sees("还要等")
        for who in ("finance", "pbc"):
            reviewer = staff[who]
            reviewer.log_in(STAFF[who])
            staff_opens(reviewer, tracking_no)
            reviewer.click("认领")
            reviewer.page.check("main input[name=opinion][value=agree]")
            reviewer.page.fill("#opinion_text", "符合条件")
            reviewer.shot("co-review")
            reviewer.click("提交意见")
            reviewer.sees("会审意见已记录")
        staff_opens(lead, tracking_no)
        lead.page.fill("#ap-message", "请到合作银行办理放款手续。")
        lead.click("批准")
        lead.sees("已批准")
        lead.shot("approved")

        # the applicant sees the decision and rates it
        me.go(f"/my/applications/{tracking_no}")
        me.sees("批准", "请到合作银行办理放款手续", "您对这次办理满意吗")
        me.page.check("main input[name=level][value='5']")
        me.shot("decision")
        me.click("提交评价")
        me.sees("感谢您的评价")
        me.shot("rated")
    finally:
        me.close()
        for person in staff.values():
            person.close()


def test_a_mentor_books_a_visit_staff_confirm_it_and_an_entrepreneur_signs_up(browser, portal):
    shots = Screens("visit")
    mentor = Person(browser, portal, PHONE, shots, "mentor")
    lead = Person(browser, portal, DESKTOP, shots, "staff")
    entrepreneur = Person(browser, portal, PHONE, shots, "entrepreneur")
    day = date.today() + timedelta(days=12)
    try:
        mentor.log_in(MENTOR)
        mentor.go("/mentor/visits")
        mentor.page.fill("#day", day.isoformat())
        mentor.page.fill("#start", "09:00")
        mentor.page.fill("#end", "11:00")
        mentor.page.select_option("#dest_kind", "township")
        mentor.page.select_option("#county", "411324")
        mentor.page.fill("#township", "贾宋镇")
        mentor.page.check("main input[name=topics][value=ecommerce]")
        mentor.page.fill("#capacity", "15")
        mentor.shot("book")
        mentor.click("提交预约")
        booked = mentor.page.locator("main li", has_text="贾宋镇").first.inner_text()
        assert "待确认" in booked, booked
        mentor.shot("booked")

        lead.log_in(STAFF["lead"])
        lead.go("/staff/visits")
        lead.sees("贾宋镇")
        lead.shot("to-confirm")
        lead.follow(lead.page.locator("main li", has_text="贾宋镇").get_by_role("button", name="确认发布"))
        lead.shot("confirmed")

        entrepreneur.go("/visits/")
        entrepreneur.follow(entrepreneur.page.locator("main a", has_text="贾宋镇").first)
        entrepreneur.sees("共 15 人，还剩 15 个", "登录后报名")
        entrepreneur.shot("visit")
        visit_url = entrepreneur.page.url.removeprefix(portal)
        entrepreneur.log_in(ENTREPRENEUR)
        entrepreneur.go(visit_url)
        entrepreneur.click("我要报名")
        entrepreneur.sees("您已报名")
        entrepreneur.shot("signed-up")
    finally:
        for person in (mentor, lead, entrepreneur):
            person.close()


def test_an_editor_changes_a_guide_and_a_second_editor_publishes_it(browser, portal):
    shots = Screens("editorial")
    author = Person(browser, portal, DESKTOP, shots, "editor-a")
    reviewer = Person(browser, portal, PHONE, shots, "editor-b")
    public = Person(browser, portal, PHONE, shots, "public")
    try:
        author.log_in(EDITOR_A)
        author.go(f"/editorial/policies/{GUIDE}/edit")
        body = author.page.input_value("#body")
        author.page.fill("#body", body + "\n\n## 浏览器核对\n\n白鹭计划的办理说明。\n")
        author.shot("edit")
        author.click("保存并提交审核")
        author.sees("白鹭计划")
        change_url = author.page.url.removeprefix(portal)
        author.shot("submitted")
        assert author.page.get_by_role("button", name="审核通过并发布").count() == 0, "never by its author"

        reviewer.log_in(EDITOR_B)
        reviewer.go(change_url)
        reviewer.shot("review")
        reviewer.click("审核通过并发布")
        reviewer.shot("published")

        for _attempt in range(10):  # each worker's page cache checks the content generation once a second
            public.go(f"/policies/{GUIDE}")
            if "白鹭计划的办理说明" in public.page.locator("main").inner_text():
                break
            public.page.wait_for_timeout(300)
        public.sees("白鹭计划的办理说明")
        public.shot("guide")
    finally:
        for person in (author, reviewer, public):
            person.close()


# ------------------------------------------------------------------------------------------ keyboard only

FOCUS = """() => { const e = document.activeElement, s = getComputedStyle(e);
  return {id: e.id, tag: e.tagName.toLowerCase(), type: e.type || '', value: e.value || '', name: e.name || '',
          text: (e.textContent || '').trim().slice(0, 20),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none'}; }"""

KEYBOARD_ANSWERS = {
    "applicant_name": "键盘用户",
    "id_number": id_number(seq="808"),
    "phone": KEYBOARD_APPLICANT,
    "township": "城关镇",
    "amount_wan": "15",
    "term_months": "24",
    "purpose": "开一家农产品网店",
}
KEYBOARD_CHOICES = {"county": "411324", "applicant_type": "individual", "group": "returning_migrant",
                    "collateral": "none"}  # fmt: skip


def test_the_loan_form_can_be_completed_with_the_keyboard_alone_and_the_focus_is_always_visible(browser, portal):
    shots = Screens("keyboard")
    me = Person(browser, portal, PHONE, shots, "applicant")
    keys = me.page.keyboard
    try:
        me.go("/account/login")
        me.page.focus("body")
        seen = []

        def tab_to(wanted) -> dict:
            """Tab until `wanted(focus)`; every element on the way shows where the focus is."""
            for _ in range(200):
                keys.press("Tab")
                focus = me.page.evaluate(FOCUS)
                seen.append(focus)
                assert focus["outline"] or focus["shadow"], f"the focus is not visible on {focus}"
                if wanted(focus):
                    return focus
            raise AssertionError(f"never reached; tabbed through {[f['id'] or f['text'] for f in seen[-40:]]}")

        tab_to(lambda f: f["id"] == "phone")
        keys.type(KEYBOARD_APPLICANT)
        tab_to(lambda f: f["id"] == "password")
        keys.type(PASSWORD)
        with me.page.expect_navigation():
            keys.press("Enter")
        assert "退出" in me.page.locator("header").inner_text(), "logged in"
        me.go("/apply/loan")
        me.page.focus("body")

        done: set[str] = set()
        while True:
            focus = tab_to(lambda f: f["tag"] in ("input", "select", "textarea", "button"))
            name = focus["name"] or focus["id"]
            if focus["tag"] == "button" and focus["value"] == "submit":
                break
            if name in KEYBOARD_ANSWERS and not focus["value"]:
                keys.type(KEYBOARD_ANSWERS[name])
            elif name in KEYBOARD_CHOICES:
                for _ in range(40):  # arrows move through a closed list's options
                    if me.page.evaluate("document.activeElement.value") == KEYBOARD_CHOICES[name]:
                        break
                    keys.press("ArrowDown")
                assert me.page.evaluate("document.activeElement.value") == KEYBOARD_CHOICES[name], name
            elif focus["type"] == "checkbox" and (name.startswith("statement_") or name == "consent"):
                keys.press("Space")
                assert me.page.evaluate("document.activeElement.checked"), name
            done.add(name)
        assert set(KEYBOARD_ANSWERS) | set(KEYBOARD_CHOICES) | {"consent"} <= done, done
        me.shot("filled")
        with me.page.expect_navigation():
            keys.press("Enter")
        me.sees("申请已提交")
        me.shot("receipt")
    finally:
        me.close()
