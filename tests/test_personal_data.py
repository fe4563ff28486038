"""Personal numbers at rest: after the journeys (register, apply for each type incl. a partnership loan with
co-applicants, staff act, a 乡村行 sign-up), no text or JSON value anywhere in the database holds a plaintext
身份证号 or mobile number; and one guarantee loan per person without telling one account about another's."""

from __future__ import annotations

import contextlib
import json
import re

import pytest
import sqlalchemy as sa

from portal.applications.models import Application
from portal.audit import AuditLog
from portal.extensions import limiter
from portal.queues import operations as queue_ops
from portal.queues.models import QueueItem
from tests.helpers import (
    LOAN_ANSWERS,
    PDF,
    csrf_token,
    form_key,
    id_number,
    login,
    make_user,
    text,
    upload,
    uscc_number,
    visit_input,
)

ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def plaintext_personal_numbers(session) -> list[tuple[str, str, str]]:
    """(table, column, match) for every plaintext ID or mobile number in any text or JSON value of any table."""
    found = []
    inspector = sa.inspect(session.connection())
    for table in inspector.get_table_names():
        rows = session.execute(sa.select(sa.text("*")).select_from(sa.table(table))).mappings()
        for row in rows:
            for column, value in row.items():
                if value is None or isinstance(value, bytes | memoryview | int | float):
                    continue
                if isinstance(value, str) and value[:1] in ("{", "[", '"'):
                    # JSON stored as text (SQLite) escapes Chinese as \uXXXX: read it as the characters
                    with contextlib.suppress(ValueError):
                        value = json.loads(value)
                flat = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                for pattern in (ID_NUMBER, MOBILE):
                    found.extend((table, column, m.group(0)) for m in pattern.finditer(flat))
    return found


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


def _apply(client, app_type: str, **answers) -> str:
    url = f"/apply/{app_type}?new=1"
    token, key = csrf_token(client, url), form_key(client, url)
    data = {
        "csrf_token": token,
        "form_key": key,
        "applicant_name": "王返乡",
        "phone": "13611110001",
        "county": "411324",
        "township": "石佛寺镇",
        "consent": "y",
        "action": "submit",
        **answers,
    }
    response = client.post(f"/apply/{app_type}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)[:2000]
    return re.search(r"NY-\d{4}-[A-Z]{2}-\d{6}", response.headers["Location"]).group(0)


LOAN = LOAN_ANSWERS


def _journeys(app, client, db):
    from portal.visits import operations as visits

    applicant = make_user(db, phone="13611110001", name="王返乡")
    staff = make_user(db, role="staff", phone="13611110009", name="镇平人社", unit_code="411324-hrss")
    login(client, "13611110001", "good-pass-2026")
    _apply(
        client,
        "training",
        id_number=id_number(seq="111"),
        course_type="practice",
        preferred_county="411324",
        education="junior",
        business="玉雕直播带货，联系电话 见表",
        years_away="8",
        business_plan=upload(PDF, "plan.pdf"),
    )
    mentoring = _apply(
        client,
        "mentoring",
        id_number=id_number(seq="112"),
        topic="tax",
        stage="young",
        problem="开业半年，不知道怎么报税，想请导师讲讲。",
        preferred_way="phone",
    )
    _apply(
        client,
        "loan",
        id_number=id_number(seq="113"),
        applicant_type="partnership",
        amount_wan="50",
        business_name="镇平玉雕合作社",
        uscc=uscc_number(),
        co1_name="李合伙",
        co1_id=id_number(seq="114"),
        co2_name="张合伙",
        co2_id=id_number(seq="115"),
        licence=upload(PDF, "licence.pdf"),
        **LOAN,
    )
    # a draft too: its answers stay as typed, but personal numbers only in the encrypted column
    token, key = csrf_token(client, "/apply/loan?new=1"), form_key(client, "/apply/loan?new=1")
    client.post(
        "/apply/loan",
        data={
            "csrf_token": token,
            "form_key": key,
            "action": "save",
            "phone": "13611110001",
            "id_number": id_number(seq="116"),
            "co1_id": id_number(seq="117"),
        },
    )
    with app.test_request_context(method="POST"):
        application = db.session.scalar(sa.select(Application).where(Application.tracking_no == mentoring))
        item = db.session.scalar(sa.select(QueueItem).where(QueueItem.application_id == application.id))
        staff = db.session.merge(staff)
        queue_ops.claim(staff, item.id)
        queue_ops.add_note(staff, item.id, "已电话联系申请人")
        queue_ops.accept(staff, item.id)
        mentor_slug = db.session.scalar(sa.text("SELECT slug FROM mentor WHERE accepts_visits ORDER BY slug LIMIT 1"))
        db.session.commit()
    mentor = make_user(db, role="mentor", phone="13611110008", name="导师甲", mentor_slug=mentor_slug)
    with app.test_request_context(method="POST"):
        visit = visits.book(
            db.session.merge(mentor),
            visit_input(capacity=2),
        )
        visits.decide(db.session.merge(staff), visit.id, True)
        visits.sign_up(db.session.merge(applicant), visit.id)
        db.session.commit()


def test_no_plaintext_id_or_phone_anywhere_after_the_journeys(app, client, db):
    _journeys(app, client, db)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 4
    assert plaintext_personal_numbers(db.session) == []


def test_the_scanner_finds_a_planted_plaintext_number(app, client, db):
    db.session.add(AuditLog(action="x", object_type="t", object_id="1", after={"note": f"号码{id_number(seq='999')}"}))
    make_user(db, phone="13611110002", name="13611110003")
    found = plaintext_personal_numbers(db.session)
    assert ("audit_log", "after", id_number(seq="999")) in found
    assert ("user_account", "name", "13611110003") in found


def test_audit_values_never_keep_a_personal_number(ctx, db):
    from portal import audit

    entry = audit.record(None, "x", "t", 1, before={"phone": "13611110001"}, after={"ids": [id_number(seq="998")]})
    assert entry.before == {"phone": "136****0001"}
    assert entry.after["ids"][0].startswith("4113**********")
