"""The security suite's small world: two applicants, two units' staff, the office, two mentors, two editors and an
administrator, with objects of every kind owned by one side (applicant A, 镇平县 人社局, mentor M1, editor E1), made
through the real forms and services. Every free text of those objects carries an XSS or formula payload, so the same
world serves the IDOR sweep (B's side asks for A's objects), the XSS sweep (every page shows A's objects) and the
CSRF sweep.

`world` is function-scoped (each test runs in its rolled-back transaction): each sweep is one test walking every
route, so the world is built once per sweep.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import limiter
from tests.helpers import PDF, client_for, csrf_token, id_number, make_user, submit_application, text

# Payloads put into free-text fields (issue 18.5): script, attribute break-out, formula injection.
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example","点这里")'
JS_URL = "javascript:alert(1)"
PAYLOADS = (SCRIPT, IMG)
# A text with every payload, for long free-text fields (descriptions, purposes, notes).
XSS_TEXT = f"{FORMULA} 说明 {SCRIPT} 以及 {IMG} 和 [链接]({JS_URL}) 结束"

PASSWORD = "good-pass-2026"
PHONES = {
    "A": "13811110001",  # applicant A (镇平县): owns the objects
    "B": "13811110002",  # applicant B: the other applicant
    "ZP": "13811110003",  # staff, 镇平县人社局 (lead): A's county unit
    "XX": "13811110004",  # staff, 西峡县人社局 (lead): another unit
    "office": "13811110005",
    "M1": "13811110006",  # mentor who booked the visit
    "M2": "13811110007",  # another mentor
    "E1": "13811110008",  # editor who wrote the story
    "E2": "13811110009",  # the second editor
    "admin": "13811110010",
    "item_staff": "13811110011",  # staff of the unit A's loan was routed to
}
ROLE_OF = {
    "A": "applicant",
    "B": "applicant",
    "ZP": "staff",
    "XX": "staff",
    "office": "office",
    "M1": "mentor",
    "M2": "mentor",
    "E1": "editor",
    "E2": "editor",
    "admin": "admin",
    "item_staff": "staff",
}


@dataclass
class World:
    app: object
    db: object
    ids: dict[str, str] = field(default_factory=dict)
    _clients: dict = field(default_factory=dict)

    def client(self, who: str):
        """A logged-in test client of `who` (a key of PHONES), or an anonymous one for "anon"; kept per person."""
        if who not in self._clients:
            limiter.reset()
            if who == "anon":
                self._clients[who] = self.app.test_client()
            else:
                self._clients[who] = client_for(self.app, PHONES[who])
        return self._clients[who]

    def token(self, who: str) -> str:
        """A valid CSRF token of `who`'s session."""
        key = f"token:{who}"
        if key not in self.ids:
            page = "/account/login" if who == "anon" else "/account/password"
            self.ids[key] = csrf_token(self.client(who), page)
        return self.ids[key]


def _user(db, phone):
    from portal.accounts.models import User

    return db.session.scalar(sa.select(User).where(User.phone == phone))


def _post(client, url: str, page: str | None = None, **data):
    data.setdefault("csrf_token", csrf_token(client, page or url))
    response = client.post(url, data=data)
    assert response.status_code in (302, 303), (url, response.status_code, text(response)[:2000])
    return response


def _last_id(response, pattern: str) -> str:
    return re.search(pattern, response.headers["Location"]).group(1)


def build_world(app, db, objects: bool = True) -> World:
    from portal.applications.models import Application, Attachment
    from portal.catalog.models import Mentor
    from portal.events import operations as events
    from portal.events.checks import EventInput
    from portal.events.queries import local_now
    from portal.notify import services as notify
    from portal.queues.models import QueueItem
    from portal.visits import operations as visits
    from tests.helpers import visit_input

    limiter.reset()
    slugs = list(db.session.scalars(sa.select(Mentor.slug).where(Mentor.accepts_visits).order_by(Mentor.slug)))
    make_user(db, phone=PHONES["A"], name="陈返乡")
    make_user(db, phone=PHONES["B"], name="林外人")
    make_user(db, role="staff", phone=PHONES["ZP"], name="镇平经办", unit_code="411324-hrss", unit_lead=True)
    make_user(db, role="staff", phone=PHONES["XX"], name="西峡经办", unit_code="411323-hrss", unit_lead=True)
    make_user(db, role="office", phone=PHONES["office"], name="办公室", unit_code="city-office")
    make_user(db, role="mentor", phone=PHONES["M1"], name="导师甲", mentor_slug=slugs[0])
    make_user(db, role="mentor", phone=PHONES["M2"], name="导师乙", mentor_slug=slugs[1])
    make_user(db, role="editor", phone=PHONES["E1"], name="编辑甲")
    make_user(db, role="editor", phone=PHONES["E2"], name="编辑乙")
    make_user(db, role="admin", phone=PHONES["admin"], name="管理员")
    w = World(app, db)
    ids = w.ids
    if not objects:
        return w

    # Applications of A: a loan with an attachment (collateral proof) and a mentoring request, free texts hostile.
    a = _user(db, PHONES["A"])
    loan = submit_application(app, db, a, "loan", county="411324", collateral="forest", purpose=XSS_TEXT,
                              id_number=id_number(seq="731"))  # fmt: skip
    # a formula as the name: the form refuses it now, a record from before (or from another path) may hold one
    db.session.execute(
        sa.update(Application).where(Application.id == loan).values(applicant_name='=HYPERLINK("http://e.cn")')
    )
    db.session.commit()
    a = _user(db, PHONES["A"])
    submit_application(app, db, a, "mentoring", county="411324", problem=XSS_TEXT)
    ids["tracking_no"] = db.session.get(Application, loan).tracking_no
    ids["attachment_id"] = str(db.session.scalar(sa.select(Attachment.id).where(Attachment.application_id == loan)))
    item = db.session.scalars(sa.select(QueueItem).where(QueueItem.application_id == loan)).first()
    ids["item_id"] = str(item.id)
    from portal.catalog.models import Unit

    unit_code = db.session.get(Unit, item.unit_id).code
    make_user(db, role="staff", phone=PHONES["item_staff"], name="办理经办", unit_code=unit_code, unit_lead=True)

    # A's inbox message.
    with app.test_request_context():
        message = notify.inbox(_user(db, PHONES["A"]).id, f"通知 {SCRIPT}", XSS_TEXT)
        db.session.flush()
        ids["message_id"] = str(message.id)
        db.session.commit()

    # A's registry record (返乡创业登记), submitted to 镇平县人社局.
    from tests.test_registry import answers as registry_answers

    ca = w.client("A")
    response = _post(ca, "/registry/new", **registry_answers("", business_name=f"玉雕工作室{SCRIPT}")
                     | {"csrf_token": csrf_token(ca, "/registry/new")})  # fmt: skip
    from portal.registry.models import Registration

    ids["registration_id"] = str(db.session.scalar(sa.select(sa.func.max(Registration.id))))

    # A's project (项目展示), submitted, waiting for 镇平县人社局's review; ZP's shortlist.
    from tests.test_ventures import answers as venture_answers

    response = ca.post("/my/ventures/new", data=venture_answers(csrf_token(ca, "/my/ventures/new"),
                                                                 name=f"玉雕小件{IMG}", makes=XSS_TEXT))  # fmt: skip
    assert response.status_code == 302, text(response)[:2000]
    ids["venture_id"] = _last_id(response, r"/ventures/(\d+)")
    zp = w.client("ZP")
    response = _post(zp, "/staff/ventures/shortlists", name=f"路演{SCRIPT}", purpose="roadshow",
                     event_label=XSS_TEXT[:60], event_on="2021-09-15", note=XSS_TEXT)  # fmt: skip
    ids["shortlist_id"] = response.headers["Location"].rstrip("/").rsplit("/", 1)[1]

    # ZP's events: a draft (never public) and a published one A registered for.
    with app.test_request_context():
        staff = _user(db, PHONES["ZP"])
        data = dict(kind="matchmaking", title=f"对接会{SCRIPT}", description=XSS_TEXT,
                    start_day=local_now().date() + timedelta(days=10), start_time=time(9), end_time=time(12),
                    place_kind="address", county="411324", address=f"玉都大道{IMG}", capacity=5,
                    audience="anyone")  # fmt: skip
        ids["draft_event_id"] = str(events.create(staff, EventInput(**data)).id)
        event = events.create(staff, EventInput(**data))
        events.publish(staff, event.id)
        ids["event_id"] = str(event.id)
        db.session.commit()
    _post(ca, f"/events/{ids['event_id']}/register", f"/events/{ids['event_id']}")
    from portal.events.models import EventRegistration

    ids["event_registration_id"] = str(
        db.session.scalar(sa.select(EventRegistration.id).where(EventRegistration.event_id == int(ids["event_id"])))
    )

    # M1's pending visit in 镇平县 (confirmed by 镇平县人社局; not public until then).
    with app.test_request_context():
        ids["visit_id"] = str(visits.book(_user(db, PHONES["M1"]), visit_input(capacity=3)).id)
        db.session.commit()

    # ZP's draft survey with a question.
    from tests.test_surveys import add_question, create_survey

    ids["survey_id"] = str(create_survey(zp, title=f"需求调查{SCRIPT}", purpose=XSS_TEXT))
    add_question(zp, int(ids["survey_id"]), kind="single", text=f"问题{IMG}", options=f"资金\n{SCRIPT}")
    from tests.test_surveys import question_ids

    ids["question_id"] = str(question_ids(db, int(ids["survey_id"]))[0])

    # E1's draft story with a photo and a recorded consent.
    from tests.test_stories import photo_bytes, record_consent, upload_photo, write_story

    e1 = w.client("E1")
    ids["story_id"] = str(write_story(e1, title=f"回乡故事{SCRIPT}", body=XSS_TEXT))
    assert upload_photo(e1, int(ids["story_id"]), photo_bytes((400, 300)), alt=f"照片{IMG}").status_code == 302
    assert record_consent(e1, int(ids["story_id"]), scope=XSS_TEXT).status_code == 302
    from portal.stories.models import Story, StoryConsent, StoryPhoto

    ids["photo_id"] = str(
        db.session.scalar(sa.select(StoryPhoto.id).where(StoryPhoto.story_id == int(ids["story_id"])))
    )
    ids["consent_id"] = str(
        db.session.scalar(sa.select(StoryConsent.id).where(StoryConsent.story_id == int(ids["story_id"])))
    )
    assert db.session.get(Story, int(ids["story_id"])).status != "published"

    # E1's editorial change (a draft edit of a guide), the admin's routing proposal, a target, a data grant.
    from tests.test_editorial import draft_edit

    ids["change_id"] = str(draft_edit(e1, "policies", "nanyang-2021-work-plan", submit=False))
    from portal.rules.models import RoutingChange

    admin = w.client("admin")
    page = text(admin.get("/admin/routing/propose"))
    current = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)
    import html as html_lib

    _post(
        admin, "/admin/routing/propose", text=html_lib.unescape(current).replace("loan: 15", "loan: 20"), note=XSS_TEXT
    )
    ids["routing_change_id"] = str(db.session.scalar(sa.select(sa.func.max(RoutingChange.id))))
    with app.test_request_context():
        from decimal import Decimal

        from portal.accounts import grants
        from portal.dashboard import operations as dashboard

        office = _user(db, PHONES["office"])
        ids["target_id"] = str(dashboard.set_target(office, 2021, "training", None, Decimal(100), XSS_TEXT[:100]).id)
        ids["grant_id"] = str(
            grants.grant(
                _user(db, PHONES["office"]), _user(db, PHONES["admin"]), XSS_TEXT, grants.today() + timedelta(days=30)
            ).id
        )
        ids["grant_user_id"] = str(_user(db, PHONES["office"]).id)
        ids["user_id"] = str(_user(db, PHONES["A"]).id)
        db.session.commit()
    return w


@pytest.fixture
def world(app, db) -> World:
    return build_world(app, db)


@pytest.fixture
def people_world(app, db) -> World:
    """The same people without their objects (for sweeps that need only the roles)."""
    return build_world(app, db, objects=False)


def upload(data: bytes = PDF, name: str = "a.pdf"):
    return (io.BytesIO(data), name)
