"""Units in the back office (/admin/units): create and edit with the content files' rules, optimistic locking,
no removal of a unit with open items or staff; office hours shown wherever the public pages name a unit."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.audit import AuditLog
from portal.catalog.models import Unit
from portal.extensions import limiter
from tests.helpers import client_for, csrf_token, make_user, text

ADMIN_PHONE = "13611118000"
NEW = {
    "code": "411324-culture",
    "name": "镇平县文化广电和旅游局",
    "short_name": "镇平县文广旅局",
    "name_en": "Zhenping County Culture, Radio, Television and Tourism Bureau",
    "level": "county",
    "dept": "culture",
    "county": "411324",
    "parent": "city-culture",
    "phone": "0377-65000000",
    "address": "镇平县城关镇",
    "hours": "工作日 8:30-12:00，14:30-17:30",
}


@pytest.fixture
def admin(app, db):
    limiter.reset()
    make_user(db, role="admin", phone=ADMIN_PHONE, name="管理员乙")
    return client_for(app, ADMIN_PHONE)


def _unit(db, code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def _create(admin, **changes):
    data = {"csrf_token": csrf_token(admin, "/admin/units/new"), **NEW, **changes}
    return admin.post("/admin/units/new", data=data)


def _edit_form(admin, code: str) -> dict:
    page = text(admin.get(f"/admin/units/{code}/edit"))
    values = dict(re.findall(r'<input[^>]*id="(\w+)"[^>]*value="([^"]*)"', page))
    values = {k: v for k, v in values.items() if k in ("name", "short_name", "name_en", "phone", "address", "hours")}
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    unit = re.search(r'<select id="level"[^>]*>.*?<option selected value="(\w+)"', page, re.S)
    return {"csrf_token": token, "version": version, "level": unit.group(1) if unit else "city", **values}


def test_create_a_unit_and_see_its_hours_on_the_public_page(app, db, admin):
    response = _create(admin, duties=["4", "5"])
    assert response.status_code == 302, text(response)
    unit = _unit(db, "411324-culture")
    assert unit.parent.code == "city-culture" and unit.county.code == "411324" and unit.duties == [4, 5]
    page = text(app.test_client().get("/units/411324-culture"))
    assert "工作日 8:30-12:00" in page and "上级单位" in page and "南阳市文化广电和旅游局" in page
    assert (
        db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "unit.create")).after["code"] == "411324-culture"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "Zhenping-culture"}, "单位代码应为 city-部门 或 区划代码-部门"),
        ({"code": "411323-culture"}, "这个单位的代码应以 411324- 开头"),
        ({"code": "411324-hrss"}, "已有单位使用代码 411324-hrss"),
        ({"county": ""}, "县级单位必须选择所在县区"),
        ({"level": "city", "code": "city-xyz"}, "市级单位不填所在县区"),
        ({"hours": "长" * 129}, "最多 128 个字"),
        ({"name": "长" * 129}, "最多 128 个字"),
        ({"duties": ["15"]}, "请从列表里选择"),
        ({"parent": "no-such"}, "请从列表里选择"),
        ({"name": ""}, "请填写单位全称"),
    ],
)
def test_unit_form_messages(db, admin, changes, message):
    response = _create(admin, **changes)
    assert response.status_code == 400
    assert message in text(response)
    assert _unit(db, changes.get("code", "411324-culture")) is None or changes.get("code") == "411324-hrss"


def test_a_nul_byte_is_refused_before_anything_is_saved(db, admin):
    response = _create(admin, name="镇平\x00局")
    assert response.status_code == 400
    assert _unit(db, "411324-culture") is None


def test_edit_keeps_the_code_and_records_before_and_after(app, db, admin):
    form = _edit_form(admin, "411324-hrss")
    data = {**form, "dept": "hrss", "county": "411324", "hours": "周一至周五 9:00-17:00", "code": "city-evil"}
    response = admin.post("/admin/units/411324-hrss/edit", data=data)
    assert response.status_code == 302, text(response)
    unit = _unit(db, "411324-hrss")
    assert unit.hours == "周一至周五 9:00-17:00" and unit.version == 2 and _unit(db, "city-evil") is None
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "unit.update"))
    assert entry.before["hours"] == "" and entry.after["hours"] == "周一至周五 9:00-17:00"


def test_a_second_editor_is_shown_the_first_ones_change_instead_of_overwriting_it(app, db, admin):
    make_user(db, role="admin", phone="13611118001", name="管理员丙")
    other = client_for(app, "13611118001")
    mine, theirs = _edit_form(admin, "411324-hrss"), _edit_form(other, "411324-hrss")
    common = {"dept": "hrss", "county": "411324"}
    first = other.post("/admin/units/411324-hrss/edit", data={**theirs, **common, "phone": "0377-60000001"})
    assert first.status_code == 302
    second = admin.post("/admin/units/411324-hrss/edit", data={**mine, **common, "phone": "0377-69999999"})
    assert second.status_code == 409
    body = text(second)
    assert "别人在您打开这一页之后修改了这个单位" in body and "0377-60000001" in body
    assert _unit(db, "411324-hrss").phone == "0377-60000001", "not overwritten"
    # saving again from the conflict page is a knowing overwrite
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', body).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    again = admin.post(
        "/admin/units/411324-hrss/edit",
        data={**mine, **common, "csrf_token": token, "version": version, "phone": "0377-69999999"},
    )
    assert again.status_code == 302 and _unit(db, "411324-hrss").phone == "0377-69999999"


def test_a_unit_with_open_items_or_staff_cannot_be_removed(app, db, admin, people, loan_id):
    token = csrf_token(admin, "/admin/units/411324-hrss/edit")
    response = admin.post("/admin/units/411324-hrss/remove", data={"csrf_token": token}, follow_redirects=True)
    body = text(response)
    assert "还有 1 件在办事项、2 名在岗工作人员，不能删除" in body
    assert _unit(db, "411324-hrss") is not None
    listing = admin.get("/admin/units").get_data(as_text=True)  # the list reads the queues' counters: the same figures
    row = re.search(r"<tr><td>411324-hrss</td>.*?</tr>", listing, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "2"]


def test_a_new_unit_nothing_depends_on_can_be_removed(db, admin):
    assert _create(admin).status_code == 302
    token = csrf_token(admin, "/admin/units/411324-culture/edit")
    response = admin.post("/admin/units/411324-culture/remove", data={"csrf_token": token})
    assert response.status_code == 302 and _unit(db, "411324-culture") is None
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "unit.delete")) is not None


def test_a_parent_cannot_be_the_unit_itself_or_below_it(db, admin):
    assert _create(admin).status_code == 302
    form = _edit_form(admin, "city-culture")
    data = {**form, "dept": "culture", "county": "", "parent": "411324-culture"}
    # city-culture is 411324-culture's parent: making it its child's child would loop
    response = admin.post("/admin/units/city-culture/edit", data=data)
    assert response.status_code == 400 and "上级单位不能是它自己或它的下级单位" in text(response)


def test_the_applicants_next_steps_name_the_unit_with_its_hours(app, db, people, loan_id):
    unit = _unit(db, "411324-hrss")
    unit.hours = "工作日 8:30-12:00"
    unit.phone = "0377-65920000"
    db.session.commit()
    from portal.applications.models import Application

    tracking_no = db.session.get(Application, loan_id).tracking_no
    page = text(client_for(app, "13411110001").get(f"/my/applications/{tracking_no}"))
    assert "工作日 8:30-12:00" in page
