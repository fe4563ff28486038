"""Every input is hostile (property-based): every GET route with hostile query values, and every form of the site
posted with hostile field values (a valid CSRF token, logged in as the role the form is for), never answers 5xx,
and a refused form (400) saves nothing.

Hypothesis draws the values from the shapes that broke the portal before (NUL and control characters, numbers past
64 bits, impossible months, sNaN, non-ASCII digits, over-long text) and from arbitrary Unicode text. The runs are
kept small (a few hundred requests in all, no deadline); the POST part is marked slow.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.catalog.models import Mentor, Project
from portal.extensions import limiter
from tests.helpers import login, make_user, submit_application, visit_input

HOSTILE_VALUES = [
    "\x00",
    "a\x00b",
    "%00",
    "\r\nX-Forged: 1",
    "line\nbreak",
    "\x1b[31m",
    "99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "-1",
    "0",
    "9999-12",
    "0001-01",
    "2026-13",
    "2026-02-30",
    "0000-00-00",
    "25:61",
    "sNaN",
    "NaN",
    "-Infinity",
    "Infinity",
    "1e309",
    "1e-400",
    "²",
    "１２３",
    "١٢",
    "13966６０００９９",
    "长" * 300,
    "x" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("http://e.cn")',
    "\ufffd",
    "\u202e",
    "",
    " ",
]

hostile = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=40))

QUERY_NAMES = [
    "page",
    "per_page",
    "q",
    "county",
    "type",
    "state",
    "after",
    "month",
    "view",
    "topic",
    "unit",
    "next",
    "mine",
    "overdue",
    "dept",
    "level",
    "industry",
    "expertise",
    "visits",
    "apply",
    "category",
]

PHONES = {
    "applicant": "13511110001",
    "staff": "13511110002",
    "office": "13511110003",
    "mentor": "13511110004",
    "editor": "13511110005",
    "admin": "13511110006",  # the rules pages (/admin/calendar, /admin/routing)
}


def _quote(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture
def world(app, db):
    """One person per role, an application in the staff's queue, a confirmed visit of the mentor."""
    from portal.visits import operations as visits

    limiter.reset()
    slug = db.session.scalar(sa.select(Mentor.slug).where(Mentor.accepts_visits).order_by(Mentor.slug))
    people = {
        "applicant": make_user(db, phone=PHONES["applicant"], name="陈返乡"),
        "staff": make_user(
            db, role="staff", phone=PHONES["staff"], name="镇平经办", unit_code="411324-hrss", unit_lead=True
        ),
        "office": make_user(db, role="office", phone=PHONES["office"], name="办公室", unit_code="city-office"),
        "mentor": make_user(db, role="mentor", phone=PHONES["mentor"], name="导师甲", mentor_slug=slug),
        "editor": make_user(db, role="editor", phone=PHONES["editor"], name="编辑甲"),
        "admin": make_user(db, role="admin", phone=PHONES["admin"], name="管理员"),
    }
    ids = {role: user.id for role, user in people.items()}  # the objects do not outlive their session
    application_id = submit_application(app, db, people["applicant"], "mentoring", county="411324")
    with app.test_request_context():
        from portal.accounts.models import User
        from portal.applications.models import Application
        from portal.queues.models import QueueItem

        people = {role: db.session.get(User, user_id) for role, user_id in ids.items()}
        visit = visits.book(
            people["mentor"],
            visit_input(capacity=3),
        )
        visits.decide(people["staff"], visit.id, True)
        db.session.commit()
        tracking_no = db.session.get(Application, application_id).tracking_no
        item_id = db.session.scalar(
            sa.select(QueueItem.id).where(QueueItem.application_id == application_id, QueueItem.role == "lead")
        )
        visit_id = visit.id
        event_id = _event(people["staff"])
        db.session.commit()
    project = db.session.scalar(sa.select(Project.slug).order_by(Project.slug))
    return {
        "tracking_no": tracking_no,
        "item_id": item_id,
        "visit_id": visit_id,
        "event_id": event_id,
        "project": project,
        "staff_id": ids["staff"],
        "applicant_id": ids["applicant"],
    }


def _event(staff) -> int:
    """A published event of the staff's unit (镇平县人社局), ten days from now, open to anyone."""
    from datetime import time, timedelta

    from portal.events import operations as events
    from portal.events.checks import EventInput
    from portal.events.queries import local_now

    data = EventInput(kind="matchmaking", title="投资对接会（测试）", start_day=local_now().date() + timedelta(days=10),
                      start_time=time(9), end_time=time(12), place_kind="address", county="411324",
                      address="镇平县玉都大道 1 号", capacity=3)  # fmt: skip
    event = events.create(staff, data)
    events.publish(staff, event.id)
    return event.id


def _client(app, role: str):
    client = app.test_client()
    if role != "anonymous":
        login(client, PHONES[role], "good-pass-2026")
    return client


def _get_paths(app, world) -> list[str]:
    values = {
        "slug": "nanyang-2021-work-plan",
        "code": "411324",
        "kind": "bases",
        "key": "411324",
        "tracking_no": world["tracking_no"],
        "token": "nope",
        "fmt": "csv",
        "app_type": "loan",
        "item_id": str(world["item_id"]),
        "visit_id": str(world["visit_id"]),
        "event_id": str(world["event_id"]),
    }
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "accounts.logout"):
            continue
        paths.append(rule.build({arg: values.get(arg, "1") for arg in rule.arguments}, append_unknown=False)[1])
    return sorted(set(paths))


GET_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("role", ["anonymous", "applicant", "staff", "office", "mentor", "editor", "admin"])
def test_every_get_route_survives_hostile_query_values(app, db, world, role):
    client = _client(app, role)
    paths = _get_paths(app, world)
    assert len(paths) > 30

    @GET_SETTINGS
    @given(
        path=st.sampled_from(paths),
        params=st.lists(st.tuples(st.sampled_from(QUERY_NAMES), hostile), min_size=1, max_size=3),
    )
    def check(path, params):
        limiter.reset()
        query = "&".join(f"{name}={_quote(value)}" for name, value in params)
        response = client.get(f"{path}?{query}")
        body = response.get_data()
        response.close()
        assert response.status_code < 500, (path, query, response.status_code)
        assert b"Traceback" not in body

    check()


# ---------------------------------------------------------------- forms


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name -> first value), as a browser would submit them."""

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {
                "action": a.get("action") or self.page,
                "fields": {},
                "multipart": "multipart" in (a.get("enctype") or ""),
            }
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            if a.get("type") in ("checkbox", "radio"):
                self.current["fields"].setdefault(a["name"], a.get("value") or "y")
            else:
                self.current["fields"].setdefault(a["name"], a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self.current["fields"].setdefault(a["name"], "")
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self.current["fields"].setdefault(self.select, "")
        elif tag == "option" and self.select and a.get("value") and not self.current["fields"][self.select]:
            self.current["fields"][self.select] = a["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


FORM_PAGES = {
    "anonymous": ["/account/login", "/account/register", "/account/reset"],
    "applicant": [
        "/apply/training",
        "/apply/mentoring",
        "/apply/loan",
        "/account/password",
        "/my/applications/{tracking_no}",
        "/visits/{visit_id}",
        "/registry/new",
        "/my/ventures/new",
        "/events/{event_id}",
    ],
    "staff": [
        "/staff/items/{item_id}",
        "/staff/visits",
        "/staff/registrations/new",
        "/staff/ventures/shortlists",
        "/staff/events/new",
        "/staff/events/{event_id}",
    ],
    "mentor": ["/mentor/visits", "/mentor/visits/{visit_id}"],
    "office": ["/office/targets", "/office/offline", "/staff/surveys/new", "/staff/events/new"],
    "editor": [
        "/editorial/policies/new",
        "/editorial/bases/new",
        "/editorial/mentors/new",
        "/editorial/policies/nanyang-2021-work-plan/edit",
        "/editorial/projects/{project}/edit",
        "/editorial/policies/nanyang-2021-work-plan/unpublish",
        "/editorial/stories/new",
    ],
    "admin": [
        "/admin/calendar",
        "/admin/routing/propose",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/{staff_id}",
        "/admin/users/{applicant_id}",
        "/admin/units/new",
        "/admin/units/411324-hrss/edit",
    ],
}

# Rows that a refused request may still write on purpose: the audit trail, throttling, messages about it.
MAY_GROW_ON_A_REFUSAL = {"audit_log", "login_attempt", "outbox_message", "inbox_message", "index_event"}


def _row_counts(db) -> dict[str, int]:
    tables = [t for t in db.metadata.sorted_tables if t.name not in MAY_GROW_ON_A_REFUSAL]
    row = db.session.execute(
        sa.select(*[sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables])
    ).one()
    return dict(row._mapping)


@pytest.mark.slow
@pytest.mark.parametrize("role", list(FORM_PAGES))
def test_every_form_survives_hostile_field_values_and_saves_nothing_when_refused(app, db, world, role):
    client = _client(app, role)
    forms = []
    for page in FORM_PAGES[role]:
        url = page.format(**world)
        parser = _Forms(url)
        parser.feed(client.get(url).get_data(as_text=True))
        forms += [f for f in parser.forms if "logout" not in f["action"] and "csrf_token" in f["fields"]]
    assert forms, f"no form found for {role}"

    @settings(
        max_examples=25 * len(FORM_PAGES[role]),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def check(data):
        limiter.reset()
        form = data.draw(st.sampled_from(forms))
        fields = dict(form["fields"])
        hostile_names = [n for n in fields if n != "csrf_token"]
        if hostile_names:
            for name in data.draw(st.lists(st.sampled_from(hostile_names), min_size=1, max_size=3, unique=True)):
                fields[name] = data.draw(hostile)
        if data.draw(st.booleans()):
            fields[data.draw(st.sampled_from(["comment", "note", "reason", "name", "x\x00"]))] = data.draw(hostile)
        before = _row_counts(db)
        response = client.post(
            form["action"],
            data=fields,
            content_type="multipart/form-data" if form["multipart"] else "application/x-www-form-urlencoded",
        )
        body = response.get_data()
        assert response.status_code < 500, (form["action"], fields, response.status_code)
        assert b"Traceback" not in body
        if response.status_code == 400:
            assert _row_counts(db) == before, f"a refused {form['action']} saved rows"

    check()
