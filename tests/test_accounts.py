"""Accounts: registration with an SMS code, login with rate limits, password change and reset, roles."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.audit import AuditLog
from portal.extensions import limiter
from tests.helpers import csrf_token, latest_sms, login, make_user, register_data, text
from tests.limits import limit_storage  # noqa: F401  (fixture: memory and Redis)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def register(client, db, phone="13712345678", name="张返乡", password="spring-field-9"):
    token = csrf_token(client, "/account/register")
    sent = client.post("/account/register", data={"csrf_token": token, "phone": phone, "action": "send_code"})
    assert sent.status_code == 200
    code = re.search(r"验证码(\d{6})", latest_sms(db, phone).body).group(1)
    return client.post("/account/register", data=register_data(token, phone, code, name, password))


def test_register_with_sms_code_logs_in(client, db):
    response = register(client, db)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.phone == "13712345678"))
    assert user.role == "applicant" and user.phone_verified_at is not None
    assert user.password_hash.startswith("$argon2")
    assert "张返乡" in text(client.get("/"))


def test_sms_code_is_short_and_stored_only_as_hash(client, db):
    token = csrf_token(client, "/account/register")
    client.post("/account/register", data={"csrf_token": token, "phone": "13712340000", "action": "send_code"})
    sms = latest_sms(db, "13712340000")
    assert len(sms.body) <= 70
    code = re.search(r"(\d{6})", sms.body).group(1)
    assert code not in str(db.session.execute(sa.text("SELECT code_hash FROM one_time_code")).all())


def test_wrong_code_is_refused_and_answers_are_kept(client, db):
    token = csrf_token(client, "/account/register")
    client.post("/account/register", data={"csrf_token": token, "phone": "13712349999", "action": "send_code"})
    response = client.post(
        "/account/register",
        data={
            "csrf_token": token,
            "phone": "13712349999",
            "code": "000000",
            "name": "李四",
            "password": "spring-field-9",
            "password2": "spring-field-9",
            "consent": "y",
            "action": "register",
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert "验证码不对或已过期" in html
    assert 'value="李四"' in html and 'value="13712349999"' in html
    assert db.session.scalar(sa.select(User).where(User.phone == "13712349999")) is None


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("phone", "12345", "请填写 11 位手机号"),
        ("password", "1111111111", "密码太简单"),
        ("password", "short", "至少 8 位"),
        ("name", "", "请填写真实姓名"),
        ("consent", "", "需要同意隐私说明"),
    ],
)
def test_register_field_messages(client, field, value, message):
    token = csrf_token(client, "/account/register")
    data = {
        "csrf_token": token,
        "phone": "13712341111",
        "code": "123456",
        "name": "王五",
        "password": "spring-field-9",
        "password2": "spring-field-9",
        "consent": "y",
        "action": "register",
    }
    data[field] = value
    if field == "password":
        data["password2"] = value
    response = client.post("/account/register", data=data)
    assert response.status_code == 400
    assert message in text(response)


def test_english_messages(en_client):
    token = csrf_token(en_client, "/account/login")
    response = en_client.post("/account/login", data={"csrf_token": token, "phone": "123", "password": ""})
    html = text(response)
    assert "11-digit" in html or "mobile" in html.lower()


def test_login_logout(client, db):
    make_user(db, phone="13912340002")
    response = login(client, "13912340002", "good-pass-2026")
    assert response.status_code == 302
    assert "测试用户" in text(client.get("/"))
    token = csrf_token(client, "/")
    assert client.post("/account/logout", data={"csrf_token": token}).status_code == 302
    assert "测试用户" not in text(client.get("/"))


def test_wrong_password_says_nothing_about_which_part_was_wrong(client, db):
    make_user(db, phone="13912340003")
    wrong_password = text(login(client, "13912340003", "nope-nope-nope"))
    unknown_phone = text(login(client, "13912349998", "nope-nope-nope"))
    assert "手机号或密码不对" in wrong_password and "手机号或密码不对" in unknown_phone


@pytest.mark.usefixtures("limit_storage")
def test_login_is_rate_limited_per_account(client, db):
    make_user(db, phone="13912340004")
    statuses = [login(client, "13912340004", f"wrong-{i}-password").status_code for i in range(6)]
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429
    assert "操作太频繁" in text(login(client, "13912340004", "good-pass-2026"))


@pytest.mark.usefixtures("limit_storage")
def test_login_limit_per_account_does_not_block_other_accounts(client, db):
    make_user(db, phone="13912340005")
    make_user(db, phone="13912340006")
    for i in range(6):
        login(client, "13912340005", f"wrong-{i}-password")
    assert login(client, "13912340006", "good-pass-2026").status_code == 302


def test_login_without_csrf_token_is_refused(client, db):
    make_user(db, phone="13912340007")
    response = client.post("/account/login", data={"phone": "13912340007", "password": "good-pass-2026"})
    assert response.status_code == 400
    assert "页面已过期" in text(response) and "CSRF" not in text(response)  # said in words people know (issue 12)


def test_next_redirect_is_same_site_only(client, db):
    make_user(db, phone="13912340008")
    token = csrf_token(client, "/account/login")
    response = client.post(
        "/account/login?next=https://evil.example/",
        data={"csrf_token": token, "phone": "13912340008", "password": "good-pass-2026"},
    )
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_password_change_ends_other_sessions(app, client, db):
    make_user(db, phone="13912340009")
    other = app.test_client()
    login(client, "13912340009", "good-pass-2026")
    login(other, "13912340009", "good-pass-2026")
    token = csrf_token(client, "/account/password")
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": "good-pass-2026",
            "password": "new-pass-2027",
            "password2": "new-pass-2027",
        },
    )
    assert response.status_code == 302
    assert 'action="/account/logout"' in text(client.get("/")), "this session stays"
    assert 'action="/account/logout"' not in text(other.get("/")), "the other session ended"
    assert login(app.test_client(), "13912340009", "new-pass-2027").status_code == 302


def test_password_reset_by_sms(client, db):
    make_user(db, phone="13912340010")
    token = csrf_token(client, "/account/reset")
    client.post("/account/reset", data={"csrf_token": token, "phone": "13912340010", "action": "send_code"})
    code = re.search(r"验证码(\d{6})", latest_sms(db, "13912340010").body).group(1)
    response = client.post(
        "/account/reset",
        data={
            "csrf_token": token,
            "phone": "13912340010",
            "code": code,
            "password": "fresh-pass-88",
            "password2": "fresh-pass-88",
            "action": "reset",
        },
    )
    assert response.status_code == 302
    assert login(client, "13912340010", "fresh-pass-88").status_code == 302


def test_reset_for_unknown_number_sends_nothing_but_looks_the_same(client, db):
    token = csrf_token(client, "/account/reset")
    response = client.post("/account/reset", data={"csrf_token": token, "phone": "13912349997", "action": "send_code"})
    assert "验证码已发送" in text(response) or response.status_code == 200
    assert latest_sms(db, "13912349997") is None


def test_cli_creates_staff_only_with_a_unit(runner, db):
    create = [
        "users",
        "create",
        "--role",
        "staff",
        "--phone",
        "13912340011",
        "--name",
        "甲",
        "--password",
        "good-pass-2026",
    ]
    result = runner.invoke(args=create)
    assert result.exit_code != 0 and "单位" in result.output
    result = runner.invoke(args=[*create, "--unit", "411324-hrss"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.phone == "13912340011"))
    assert user.unit.code == "411324-hrss"


def test_cli_demo_prints_one_account_per_role(runner):
    result = runner.invoke(args=["users", "demo"])
    assert result.exit_code == 0, result.output
    for role in ("applicant", "mentor", "staff", "office", "admin"):
        assert role in result.output


def test_account_changes_are_audited(client, db):
    register(client, db, phone="13712345600")
    user = db.session.scalar(sa.select(User).where(User.phone == "13712345600"))
    actions = set(db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_id == str(user.id))))
    assert "user.register" in actions
