"""The back office's accounts (/admin/users): admins only; new accounts set their own password from an SMS code;
deactivation and moves end sessions or hand claimed items back with a notice; the full-personal-data grant."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts import grants
from portal.accounts.models import DataAccessGrant, User
from portal.audit import AuditLog
from portal.extensions import limiter
from portal.notify.models import InboxMessage
from portal.queues import operations
from portal.queues.models import QueueItem
from tests.helpers import client_for, csrf_token, id_number, latest_sms, login, make_user, text

ADMIN_PHONE = "13611119000"
ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/users/new", "/admin/units", "/admin/units/new", "/admin/audit",
               "/admin/audit/export.csv", "/admin/units/city-hrss/edit"]  # fmt: skip


@pytest.fixture
def admin(app, db):
    limiter.reset()
    make_user(db, role="admin", phone=ADMIN_PHONE, name="管理员甲")
    return client_for(app, ADMIN_PHONE)


def _user(db, phone: str) -> User:
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def _post(client, page: str, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("role", ["applicant", "mentor", "staff", "office", "editor"])
def test_every_other_role_gets_404(app, db, role):
    from portal.catalog.models import Mentor

    limiter.reset()
    extra = {"staff": {"unit_code": "city-hrss"}, "office": {"unit_code": "city-office"}}.get(role, {})
    if role == "mentor":
        extra = {"mentor_slug": db.session.scalar(sa.select(Mentor.slug).limit(1))}
    make_user(db, role=role, phone="13611119001", **extra)
    client = client_for(app, "13611119001")
    assert {page: client.get(page).status_code for page in ADMIN_PAGES} == {page: 404 for page in ADMIN_PAGES}
    assert client.post("/admin/users/1/deactivate").status_code in (400, 404)  # no CSRF token, or not found
    assert "系统管理" not in text(client.get("/"))


def test_anonymous_visitors_are_asked_to_log_in(client):
    for page in ADMIN_PAGES:
        response = client.get(page)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], page


def test_admin_sees_every_page_and_the_header_link(admin):
    for page in ADMIN_PAGES:
        assert admin.get(page).status_code == 200, page
    assert 'href="/admin/"' in text(admin.get("/"))


# ---------------------------------------------------------------- creating accounts


def test_new_staff_gets_an_sms_sets_a_password_and_logs_in(app, db, admin):
    page = text(admin.get("/admin/users/new"))
    assert 'type="password"' not in page, "the admin never chooses a password"
    response = _post(
        admin, "/admin/users/new", "/admin/users/new", role="staff", name="新经办", phone="13611119002",
        unit="411324-hrss", lead="y",
    )  # fmt: skip
    assert response.status_code == 302
    listing = text(admin.get(response.headers["Location"]))
    assert "136****9002" in listing and "13611119002" not in listing
    user = _user(db, "13611119002")
    assert user.role == "staff" and user.unit.code == "411324-hrss" and user.is_unit_lead
    sms = latest_sms(db, "13611119002")
    code = re.search(r"验证码(\d{6})", sms.body).group(1)
    assert "找回密码" in sms.body
    # the admin's pages never show the code or a password
    assert code not in text(admin.get(f"/admin/users/{user.id}"))
    person = app.test_client()
    token = csrf_token(person, "/account/reset")
    done = person.post(
        "/account/reset",
        data={"csrf_token": token, "phone": "13611119002", "code": code, "password": "my-own-pass-1",
              "password2": "my-own-pass-1", "action": "reset"},
    )  # fmt: skip
    assert done.status_code == 302, text(done)
    assert login(person, "13611119002", "my-own-pass-1").status_code == 302
    assert person.get("/staff/queue").status_code == 200
    created = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "user.create", AuditLog.object_id == str(user.id))
    )
    assert created.actor_id is not None and "13611119002" not in str(created.after)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"role": "staff", "unit": ""}, "unit", "工作人员必须属于一个单位"),
        ({"role": "mentor", "mentor": ""}, "mentor", "导师账号必须关联导师库里的一位导师"),
        ({"role": "applicant"}, "role", "请从列表里选择"),
        ({"role": "office", "phone": "123"}, "phone", "请填写 11 位手机号"),
        ({"role": "office", "phone": ADMIN_PHONE}, "phone", "这个手机号已经注册过了"),
    ],
)
def test_new_account_form_says_what_is_wrong(db, admin, fields, field, message):
    data = {"role": "office", "name": "某某", "phone": "13611119003", "unit": "", "mentor": "", **fields}
    response = _post(admin, "/admin/users/new", "/admin/users/new", **data)
    assert response.status_code == 400
    assert message in text(response)
    assert _user(db, "13611119003") is None


def test_a_mentor_account_links_an_unlinked_directory_entry(db, admin):
    from portal.catalog.models import Mentor

    slug = db.session.scalar(sa.select(Mentor.slug).order_by(Mentor.slug).limit(1))
    response = _post(
        admin, "/admin/users/new", "/admin/users/new", role="mentor", name="导师乙", phone="13611119004", mentor=slug
    )
    assert response.status_code == 302
    assert _user(db, "13611119004").mentor.slug == slug
    assert f'value="{slug}"' not in text(admin.get("/admin/users/new")), "a linked entry is not offered again"


# ---------------------------------------------------------------- finding accounts


def test_find_by_exact_phone_name_role_and_unit(db, admin, people):
    assert "镇平同事" in text(admin.get("/admin/users?phone=13411110002")), "no phone search by GET (URLs are logged)"
    body = text(_post(admin, "/admin/users", "/admin/users", phone="13411110002"))
    assert "镇平经办" in body and "镇平同事" not in body and "134****0002" in body and "13411110002" not in body
    assert "镇平同事" in text(admin.get("/admin/users?name=同事"))
    by_unit = text(admin.get("/admin/users?unit=411324-hrss&role=staff"))
    assert "镇平经办" in by_unit and "西峡经办" not in by_unit
    assert "要填完整的 11 位" in text(_post(admin, "/admin/users", "/admin/users", phone="1341111"))


# ---------------------------------------------------------------- deactivating, moving


def _claimed_item(app, db, loan_id) -> int:
    """The loan's item in 镇平县人社局's queue, claimed by 镇平同事 (13411110003)."""
    colleague = _user(db, "13411110003")
    item_id = db.session.scalar(
        sa.select(QueueItem.id).where(QueueItem.application_id == loan_id, QueueItem.unit_id == colleague.unit_id)
    )
    with app.test_request_context():
        operations.claim(_user(db, "13411110003"), item_id)
        db.session.commit()
    return item_id


def test_deactivating_ends_sessions_at_once_and_hands_claimed_items_back(app, db, admin, people, loan_id):
    item_id = _claimed_item(app, db, loan_id)
    colleague = client_for(app, "13411110003")
    assert colleague.get("/staff/queue").status_code == 200
    user_id = _user(db, "13411110003").id
    assert _post(admin, f"/admin/users/{user_id}", f"/admin/users/{user_id}/deactivate").status_code == 302
    after = colleague.get("/staff/queue")
    assert after.status_code == 302 and "/account/login" in after.headers["Location"], "logged out at once"
    assert login(app.test_client(), "13411110003", "good-pass-2026").status_code != 302
    item = db.session.get(QueueItem, item_id)
    assert item.claimed_by_id is None and item.status == "open"
    assert (
        db.session.scalar(
            sa.select(AuditLog).where(AuditLog.action == "queue.release", AuditLog.object_id == str(item_id))
        )
        is not None
    )
    notice = db.session.scalar(
        sa.select(InboxMessage)
        .where(InboxMessage.user_id == _user(db, "13411110002").id)
        .order_by(InboxMessage.id.desc())
    )
    assert "镇平同事" in notice.subject and "已停用" in notice.body
    # reactivated: the person may log in again; nothing is reclaimed
    assert _post(admin, f"/admin/users/{user_id}", f"/admin/users/{user_id}/reactivate").status_code == 302
    assert login(app.test_client(), "13411110003", "good-pass-2026").status_code == 302


def test_moving_a_staff_member_hands_claimed_items_back_to_the_old_unit(app, db, admin, people, loan_id):
    item_id = _claimed_item(app, db, loan_id)
    user_id = _user(db, "13411110003").id
    response = _post(admin, f"/admin/users/{user_id}", f"/admin/users/{user_id}/unit", unit="411323-hrss")
    assert response.status_code == 302
    moved = db.session.get(User, user_id)
    assert moved.unit.code == "411323-hrss" and not moved.is_unit_lead
    assert db.session.get(QueueItem, item_id).claimed_by_id is None
    notice = db.session.scalar(
        sa.select(InboxMessage)
        .where(InboxMessage.user_id == _user(db, "13411110002").id)
        .order_by(InboxMessage.id.desc())
    )
    assert "调往其他单位" in notice.body
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "user.change_unit"))
    assert entry.before["unit"] == "411324-hrss" and entry.after["unit"] == "411323-hrss"


def test_an_applicant_is_looked_up_and_deactivated_never_edited(app, db, admin, people):
    user_id = _user(db, "13411110001").id
    page = text(admin.get(f"/admin/users/{user_id}"))
    assert "停用账号" in page and "调整单位" not in page and "新的授权" not in page
    assert _post(admin, f"/admin/users/{user_id}", f"/admin/users/{user_id}/unit", unit="city-hrss").status_code == 404
    refused = _post(
        admin,
        f"/admin/users/{user_id}",
        f"/admin/users/{user_id}/grants",
        reason="看一看身份证",
        expires_on="2026-12-31",
    )
    assert refused.status_code == 404
    assert _post(admin, f"/admin/users/{user_id}", f"/admin/users/{user_id}/deactivate").status_code == 302
    assert db.session.get(User, user_id).active is False


def test_an_admin_cannot_deactivate_themselves(db, admin):
    me = _user(db, ADMIN_PHONE)
    assert "停用账号" not in text(admin.get(f"/admin/users/{me.id}"))
    assert _post(admin, f"/admin/users/{me.id}", f"/admin/users/{me.id}/deactivate").status_code == 404


# ---------------------------------------------------------------- the full-personal-data grant


def _item_page(app, loan_id, people, db) -> str:
    item_id = db.session.scalar(
        sa.select(QueueItem.id).where(
            QueueItem.application_id == loan_id, QueueItem.unit_id == _user(db, "13411110002").unit_id
        )
    )
    return text(client_for(app, "13411110002").get(f"/staff/items/{item_id}"))


def test_a_grant_shows_full_id_numbers_until_revoked(app, db, admin, people, loan_id):
    full = id_number()
    assert full not in _item_page(app, loan_id, people, db)
    user_id = _user(db, "13411110002").id
    url = f"/admin/users/{user_id}/grants"
    missing = _post(admin, f"/admin/users/{user_id}", url, reason="", expires_on="")
    assert missing.status_code == 400 and "请写明授权理由" in text(missing)
    too_long = (grants.today() + timedelta(days=400)).isoformat()
    late = _post(admin, f"/admin/users/{user_id}", url, reason="贷款审核核对身份证号", expires_on=too_long)
    assert late.status_code == 400 and "最长一年" in text(late)
    odd = _post(admin, f"/admin/users/{user_id}", url, reason="贷款审核核对身份证号", expires_on="2026-02-30")
    assert odd.status_code == 400 and "年-月-日" in text(odd)
    until = (grants.today() + timedelta(days=30)).isoformat()
    assert (
        _post(admin, f"/admin/users/{user_id}", url, reason="贷款审核核对身份证号", expires_on=until).status_code == 302
    )
    assert full in _item_page(app, loan_id, people, db)
    grant = db.session.scalar(sa.select(DataAccessGrant).where(DataAccessGrant.user_id == user_id))
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "data_access.grant"))
    assert entry.after["reason"] == "贷款审核核对身份证号" and entry.after["expires_on"] == until
    revoke = f"/admin/users/{user_id}/grants/{grant.id}/revoke"
    assert _post(admin, f"/admin/users/{user_id}", revoke).status_code == 302
    assert full not in _item_page(app, loan_id, people, db)
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "data_access.revoke")) is not None


def test_an_expired_grant_stops_working_by_itself(app, db, people, loan_id):
    grant_id = grants.grant(_user(db, "13411110002"), None, "贷款审核核对身份证号", grants.today()).id
    db.session.commit()
    assert id_number() in _item_page(app, loan_id, people, db), "a grant works through its last day"
    db.session.get(DataAccessGrant, grant_id).expires_on = grants.today() - timedelta(days=1)
    db.session.commit()
    assert id_number() not in _item_page(app, loan_id, people, db)
    page = text(client_for(app, "13411110002").get("/staff/queue/export.csv"))
    assert id_number() not in page
