"""One guarantee loan per person, by the keyed hash of the 身份证号, without telling one account anything about
another account's application: the applicant is sent to the handling unit, staff see the conflict on both items,
and neither can be approved while the other is in progress."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications.models import Application
from portal.applications.states import transition
from portal.catalog.models import Unit
from portal.errors import InvalidTransition
from portal.extensions import limiter
from portal.queues.models import QueueItem
from tests.helpers import LOAN_ANSWERS, csrf_token, form_key, id_number, login, make_user, text

ID = id_number(seq="321")
LOAN = dict(
    **LOAN_ANSWERS,
    applicant_type="individual",
    amount_wan="20",
    county="411324",
    township="石佛寺镇",
    consent="y",
    action="submit",
)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


def _person(app, db, phone: str, name: str):
    make_user(db, phone=phone, name=name)
    client = app.test_client()
    login(client, phone, "good-pass-2026")
    return client


def _loan(client, phone: str, name: str):
    url = "/apply/loan?new=1"
    data = {
        "csrf_token": csrf_token(client, url),
        "form_key": form_key(client, url),
        "applicant_name": name,
        "id_number": ID,
        "phone": phone,
        **LOAN,
    }
    return client.post("/apply/loan", data=data)


def _number(response) -> str:
    return re.search(r"NY-\d{4}-DB-\d{6}", response.headers["Location"]).group(0)


def _item(db, number: str) -> QueueItem:
    return db.session.scalar(
        sa.select(QueueItem)
        .join(Application, Application.id == QueueItem.application_id)
        .where(Application.tracking_no == number, QueueItem.role == "lead")
    )


def test_the_same_account_is_told_its_own_number(app, db):
    owner = _person(app, db, "13611113001", "王本人")
    first = _number(_loan(owner, "13611113001", "王本人"))
    again = _loan(owner, "13611113001", "王本人")
    html = text(again)
    assert again.status_code == 400
    assert f"您已有一笔正在办理的创业担保贷款申请（{first}）" in html


def test_another_account_learns_only_whom_to_call(app, db):
    owner = _person(app, db, "13611113001", "王本人")
    first = _number(_loan(owner, "13611113001", "王本人"))
    unit = db.session.get(Unit, _item(db, first).unit_id)
    unit_name, unit_phone = unit.name, unit.phone
    stranger = _person(app, db, "13611113002", "冒用者")
    response = _loan(stranger, "13611113002", "冒用者")
    assert response.status_code == 302, text(response)[:2000]
    page = text(stranger.get(response.headers["Location"]))
    assert "这个身份证号另有一笔正在办理的创业担保贷款申请" in page
    assert f"请联系{unit_name}" in page
    if unit_phone:
        assert f"（电话 {unit_phone}）" in page
    assert first not in page and "王本人" not in page and "已提交" not in page.split("申请已提交")[0]
    en = app.test_client()
    en.set_cookie("lang", "en")
    login(en, "13611113002", "good-pass-2026")
    assert first not in text(en.get("/my/applications"))


def test_staff_see_the_conflict_on_both_items_and_cannot_approve_either(app, db):
    from portal.queues import operations as queue_ops

    owner = _person(app, db, "13611113001", "王本人")
    first = _number(_loan(owner, "13611113001", "王本人"))
    stranger = _person(app, db, "13611113002", "冒用者")
    second = _number(_loan(stranger, "13611113002", "冒用者"))
    first_item, second_item = _item(db, first).id, _item(db, second).id
    unit_code = db.session.get(Unit, _item(db, first).unit_id).code
    make_user(db, role="staff", phone="13611113009", name="经办人", unit_code=unit_code, unit_lead=True)
    staff = app.test_client()
    login(staff, "13611113009", "good-pass-2026")
    first_page = text(staff.get(f"/staff/items/{first_item}"))
    second_page = text(staff.get(f"/staff/items/{second_item}"))
    assert f"同一身份证号另有一笔在办贷款申请 {second}" in first_page
    assert f"同一身份证号另有一笔在办贷款申请 {first}" in second_page
    with app.test_request_context(method="POST"):
        user = db.session.scalar(sa.select(User).where(User.phone == "13611113009"))
        queue_ops.claim(user, first_item)
        queue_ops.accept(user, first_item)
        application = db.session.scalar(sa.select(Application).where(Application.tracking_no == first))
        # (the co-reviewers' opinions are not the point here: the state machine itself refuses)
        with pytest.raises(InvalidTransition, match=f"同一身份证号另有一笔在办贷款申请 {second}"):
            transition(application, "approve", user)
