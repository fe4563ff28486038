"""Accounts under attack: look-alike digits, enumeration by answer or by time, codes in the outbox and the log,
sessions that must end, throttling that slows an attacker without locking the owner out."""

from __future__ import annotations

import re
import statistics
import time

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import limiter
from tests.helpers import csrf_token, latest_sms, login, make_user, register_data, text
from tests.limits import limit_storage  # noqa: F401  (fixture: memory and Redis)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _send_code(client, page, phone, token=None):
    token = token or csrf_token(client, page)
    return client.post(page, data={"csrf_token": token, "phone": phone, "action": "send_code"})


def _code_of(db, phone):
    return re.search(r"验证码(\d{6})", latest_sms(db, phone).body).group(1)


# ---------------------------------------------------------------- ASCII digits only (point 5)


def test_full_width_digits_reach_the_same_account(client, db):
    make_user(db, phone="13966600099")
    response = login(client, "13966６０００９９", "good-pass-2026")
    assert response.status_code == 302
    assert "测试用户" in text(client.get("/"))
    # no look-alike second account (phones are encrypted: compared after reading)
    assert [u.phone for u in db.session.scalars(sa.select(User)) if u.phone.startswith("13966")] == ["13966600099"]


def test_full_width_number_shares_the_per_number_code_limit(client, db):
    token = csrf_token(client, "/account/register")
    assert _send_code(client, "/account/register", "13966600098", token).status_code == 200
    again = _send_code(client, "/account/register", "1396６６０００９８", token)
    assert again.status_code == 429, "the look-alike number is the same number: no second code within a minute"


@pytest.mark.parametrize(
    "phone",
    [
        "١٣٩٦٦٦٠٠٠٩٩",  # Arabic-Indic digits
        "१३९६६६०००९९",  # Devanagari digits
        "1396660009৯",  # one Bengali digit
    ],
)
def test_other_script_digits_in_a_phone_are_refused_clearly(client, db, phone):
    make_user(db, phone="13966600099")
    response = login(client, phone, "good-pass-2026")
    assert response.status_code == 400
    assert "手机号请用阿拉伯数字 0–9 填写" in text(response)
    assert "测试用户" not in text(client.get("/"))


def test_other_script_digits_in_a_code_are_refused_clearly(client, db):
    token = csrf_token(client, "/account/register")
    _send_code(client, "/account/register", "13712340101", token)
    response = client.post("/account/register", data=register_data(token, "13712340101", "١٢٣٤٥٦"))
    assert response.status_code == 400
    assert "验证码请用阿拉伯数字 0–9 填写" in text(response)


def test_full_width_code_is_accepted(client, db):
    token = csrf_token(client, "/account/register")
    _send_code(client, "/account/register", "13712340102", token)
    wide = _code_of(db, "13712340102").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = client.post("/account/register", data=register_data(token, "13712340102", wide))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User).where(User.phone == "13712340102")) is not None


def test_english_message_for_other_script_digits(en_client, db):
    response = login(en_client, "١٣٩٦٦٦٠٠٠٩٩", "whatever-pass")
    assert response.status_code == 400
    assert "digits 0–9" in text(response)


# ---------------------------------------------------------------- no enumeration (point 4)


def test_register_says_already_registered_only_after_the_code(client, db):
    make_user(db, phone="13912340201")
    token = csrf_token(client, "/account/register")
    _send_code(client, "/account/register", "13912340201", token)
    wrong = client.post("/account/register", data=register_data(token, "13912340201", "000000"))
    assert wrong.status_code == 400
    assert "验证码不对或已过期" in text(wrong)
    assert "已经注册过了" not in text(wrong)
    right = client.post("/account/register", data=register_data(token, "13912340201", _code_of(db, "13912340201")))
    assert right.status_code == 400
    assert "这个手机号已经注册过了" in text(right)


def _scrub(html: str, *phones: str) -> str:
    """The page without what legitimately differs: the CSRF token and the number typed in."""
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)
    html = re.sub(r'type="hidden" name="csrf_token" value="[^"]+"', "", html)
    for phone in phones:
        html = html.replace(phone, "PHONE")
    return html


def _median_ms(samples):
    return statistics.median(samples) * 1000


def _timed(post):
    start = time.perf_counter()
    response = post()
    return response, time.perf_counter() - start


TRIES = 20
ROUNDS = 3
BAND_MS = 30


def _compare(make_post_known, make_post_unknown, known, unknown):
    """Interleave the two kinds of request (so that load on the machine hits both alike), then compare what
    they answer and the median time each takes over TRIES tries. The machine is shared, so a round spoilt by
    someone else's load is measured again, up to ROUNDS times; a real difference (an argon2 hash more on one
    side is 50-150 ms) shows in every round."""
    differences = []
    for _round in range(ROUNDS):
        answers, times = {"known": [], "unknown": []}, {"known": [], "unknown": []}
        for i in range(TRIES + 1):
            for kind, make_post, phone in (("known", make_post_known, known), ("unknown", make_post_unknown, unknown)):
                limiter.reset()
                response, seconds = _timed(make_post(i))
                if i == 0:
                    continue  # warm-up
                answers[kind].append((response.status_code, _scrub(text(response), phone)))
                times[kind].append(seconds)
        assert answers["known"][0] == answers["unknown"][0], "the same answer whether or not the number is known"
        differences.append(abs(_median_ms(times["known"]) - _median_ms(times["unknown"])))
        if differences[-1] <= BAND_MS:
            return
    pytest.fail(f"median times differ by more than {BAND_MS} ms in every round: {differences}")


@pytest.mark.slow
def test_login_answers_alike_for_known_and_unknown_numbers(app, db):
    make_user(db, phone="13912340202")
    known_client, unknown_client = app.test_client(), app.test_client()
    known_token = csrf_token(known_client, "/account/login")
    unknown_token = csrf_token(unknown_client, "/account/login")

    def post(client, token, phone):
        return lambda i: (
            lambda: client.post(
                "/account/login", data={"csrf_token": token, "phone": phone, "password": f"wrong-pass-{i}"}
            )
        )

    _compare(
        post(known_client, known_token, "13912340202"),
        post(unknown_client, unknown_token, "13912340203"),
        "13912340202",
        "13912340203",
    )


@pytest.mark.slow
def test_reset_code_request_answers_alike_for_known_and_unknown_numbers(app, db):
    make_user(db, phone="13912340204")
    known_client, unknown_client = app.test_client(), app.test_client()
    known_token = csrf_token(known_client, "/account/reset")
    unknown_token = csrf_token(unknown_client, "/account/reset")

    def post(client, token, phone):
        return lambda i: lambda: _send_code(client, "/account/reset", phone, token)

    _compare(
        post(known_client, known_token, "13912340204"),
        post(unknown_client, unknown_token, "13912340205"),
        "13912340204",
        "13912340205",
    )
    assert latest_sms(db, "13912340204") is not None
    assert latest_sms(db, "13912340205") is None, "no SMS to a number without an account"


@pytest.mark.slow
def test_reset_with_wrong_code_answers_alike_for_known_and_unknown_numbers(app, db):
    make_user(db, phone="13912340206")
    known_client, unknown_client = app.test_client(), app.test_client()
    known_token = csrf_token(known_client, "/account/reset")
    unknown_token = csrf_token(unknown_client, "/account/reset")
    _send_code(known_client, "/account/reset", "13912340206", known_token)
    _send_code(unknown_client, "/account/reset", "13912340207", unknown_token)

    def post(client, token, phone):
        data = {
            "csrf_token": token,
            "phone": phone,
            "code": "000000",
            "password": "fresh-pass-88",
            "password2": "fresh-pass-88",
            "action": "reset",
        }
        return lambda i: lambda: client.post("/account/reset", data=data)

    _compare(
        post(known_client, known_token, "13912340206"),
        post(unknown_client, unknown_token, "13912340207"),
        "13912340206",
        "13912340207",
    )


@pytest.mark.slow
def test_register_answers_alike_for_known_and_unknown_numbers(app, db):
    make_user(db, phone="13912340208")
    known_client, unknown_client = app.test_client(), app.test_client()
    known_token = csrf_token(known_client, "/account/register")
    unknown_token = csrf_token(unknown_client, "/account/register")
    _send_code(known_client, "/account/register", "13912340208", known_token)
    _send_code(unknown_client, "/account/register", "13912340209", unknown_token)

    def post(client, token, phone):
        return lambda i: lambda: client.post("/account/register", data=register_data(token, phone, "000000"))

    _compare(
        post(known_client, known_token, "13912340208"),
        post(unknown_client, unknown_token, "13912340209"),
        "13912340208",
        "13912340209",
    )


@pytest.mark.slow
def test_register_code_request_answers_alike_for_known_and_unknown_numbers(app, db):
    make_user(db, phone="13912340210")
    known_client, unknown_client = app.test_client(), app.test_client()
    known_token = csrf_token(known_client, "/account/register")
    unknown_token = csrf_token(unknown_client, "/account/register")

    def post(client, token, phone):
        return lambda i: lambda: _send_code(client, "/account/register", phone, token)

    _compare(
        post(known_client, known_token, "13912340210"),
        post(unknown_client, unknown_token, "13912340211"),
        "13912340210",
        "13912340211",
    )


# ---------------------------------------------------------------- sessions (point 9)


def _login_remembered(client, phone, password="good-pass-2026"):
    token = csrf_token(client, "/account/login")
    return client.post(
        "/account/login", data={"csrf_token": token, "phone": phone, "password": password, "remember": "y"}
    )


def _logged_in(client) -> bool:
    response = client.get("/my/applications")
    return response.status_code == 200 and 'action="/account/logout"' in text(response)


def test_cookies_captured_before_logout_no_longer_open_my_applications(app, client, db):
    make_user(db, phone="13912340401")
    assert _login_remembered(client, "13912340401").status_code == 302
    assert _logged_in(client)
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    token = csrf_token(client, "/")
    assert client.post("/account/logout", data={"csrf_token": token}).status_code == 302

    for name, value in (("session", session_cookie), ("remember_token", remember_cookie)):
        thief = app.test_client()
        thief.set_cookie(name, value)
        response = thief.get("/my/applications")
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], name


def test_logout_ends_the_sessions_on_other_devices_too(app, db):
    make_user(db, phone="13912340402")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "13912340402", "good-pass-2026")
    login(laptop, "13912340402", "good-pass-2026")
    assert _logged_in(phone) and _logged_in(laptop)
    laptop.post("/account/logout", data={"csrf_token": csrf_token(laptop, "/")})
    assert not _logged_in(phone)
    assert login(phone, "13912340402", "good-pass-2026").status_code == 302, "logging in again works"
    assert _logged_in(phone)


def test_logout_is_audited(client, db):
    from portal.audit import AuditLog

    user_id = make_user(db, phone="13912340403").id
    login(client, "13912340403", "good-pass-2026")
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/")})
    actions = set(db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_id == str(user_id))))
    assert "user.logout" in actions


def test_remember_cookie_is_same_site_lax_and_http_only(client, db):
    make_user(db, phone="13912340404")
    response = _login_remembered(client, "13912340404")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_remember_cookie_is_secure_when_configured(app, db):
    make_user(db, phone="13912340405")
    app.config["REMEMBER_COOKIE_SECURE"] = True
    try:
        response = _login_remembered(app.test_client(), "13912340405")
    finally:
        app.config["REMEMBER_COOKIE_SECURE"] = False
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "Secure" in cookie


def test_pages_for_a_logged_in_user_are_not_stored(client, db):
    make_user(db, phone="13912340406")
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login(client, "13912340406", "good-pass-2026")
    for url in ("/", "/my/applications", "/account/password"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url


def test_account_forms_are_not_stored_even_anonymously(client):
    assert client.get("/account/login").headers.get("Cache-Control") == "no-store"


# ---------------------------------------------------------------- throttling (point 3)


@pytest.fixture
def short_pauses(monkeypatch):
    """Pauses of 1 s, 2 s, … instead of 15 s, 30 s, …, so that a test can wait them out."""
    from portal.accounts import throttle

    monkeypatch.setattr(throttle, "FIRST_PAUSE", 1)
    return throttle


def _wrong(client, phone, i=0):
    return login(client, phone, f"wrong-{i}-password")


def test_pause_grows_with_each_failure_up_to_fifteen_minutes():
    from portal.accounts.throttle import FREE_FAILURES, MAX_PAUSE, pause_before

    pauses = [pause_before(n) for n in range(1, 16)]
    assert pauses[:FREE_FAILURES] == [0] * FREE_FAILURES
    assert pauses[FREE_FAILURES : FREE_FAILURES + 4] == [15, 30, 60, 120]
    assert max(pauses) == MAX_PAUSE == 900 and pauses[-1] == 900


@pytest.mark.usefixtures("limit_storage")
def test_account_throttle_is_a_growing_pause_not_a_lock(client, db, short_pauses):
    make_user(db, phone="13912340501")
    assert [_wrong(client, "13912340501", i).status_code for i in range(5)] == [400] * 5
    refused = _wrong(client, "13912340501", 5)
    assert refused.status_code == 429
    assert "请 1秒钟后再试" in text(refused) and int(refused.headers["Retry-After"]) >= 1
    assert "操作太频繁" in text(refused) and "忘记密码可以用短信验证码重设" in text(refused)
    assert login(client, "13912340501", "good-pass-2026").status_code == 429, "even the right password waits"
    time.sleep(1.1)
    assert _wrong(client, "13912340501", 6).status_code == 400, "after the pause, one more try"
    refused = _wrong(client, "13912340501", 7)
    assert refused.status_code == 429 and "请 2秒钟后再试" in text(refused), "the pause doubled"
    time.sleep(2.1)
    assert login(client, "13912340501", "good-pass-2026").status_code == 302, "the owner gets in"
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/")})
    assert _wrong(client, "13912340501", 8).status_code == 400, "a right password clears the count"


@pytest.mark.usefixtures("limit_storage")
def test_refused_attempts_do_not_lengthen_the_pause(client, db, short_pauses):
    make_user(db, phone="13912340502")
    for i in range(5):
        _wrong(client, "13912340502", i)
    assert {_wrong(client, "13912340502", i).status_code for i in range(10)} == {429}
    time.sleep(1.1)
    assert login(client, "13912340502", "good-pass-2026").status_code == 302


@pytest.mark.usefixtures("limit_storage")
def test_password_reset_by_sms_lifts_the_pause_at_once(client, db):
    make_user(db, phone="13912340503")
    for i in range(6):
        _wrong(client, "13912340503", i)
    assert _wrong(client, "13912340503", 9).status_code == 429
    token = csrf_token(client, "/account/reset")
    _send_code(client, "/account/reset", "13912340503", token)
    response = client.post(
        "/account/reset",
        data={
            "csrf_token": token,
            "phone": "13912340503",
            "code": _code_of(db, "13912340503"),
            "password": "fresh-pass-88",
            "password2": "fresh-pass-88",
            "action": "reset",
        },
    )
    assert response.status_code == 302
    assert login(client, "13912340503", "fresh-pass-88").status_code == 302


@pytest.mark.usefixtures("limit_storage")
def test_unknown_numbers_are_throttled_alike(client, db):
    make_user(db, phone="13912340504")
    known = [_wrong(client, "13912340504", i).status_code for i in range(6)]
    unknown = [_wrong(client, "13912340505", i).status_code for i in range(6)]
    assert known == unknown == [400] * 5 + [429]


@pytest.mark.usefixtures("limit_storage")
def test_throttle_keeps_no_phone_number_in_the_storage(client, db):
    _wrong(client, "13912340506")
    token = csrf_token(client, "/account/register")
    _send_code(client, "/account/register", "13912340506", token)
    storage = limiter.storage
    if hasattr(storage, "get_connection"):  # Redis
        keys = [k.decode() for k in storage.get_connection().keys(storage.prefixed_key("*"))]
    else:
        keys = list(storage.storage) + list(storage.events)
    assert keys, "something was counted"
    assert not any("13912340506" in key for key in keys), keys


# ---------------------------------------------------------------- client address behind one proxy


@pytest.fixture(scope="module")
def proxied_app(database_url, tmp_path_factory):
    """The app as configured behind nginx (PORTAL_TRUSTED_PROXIES=1). Module-scoped, so that it exists before
    `limit_storage` swaps the storage (creating an app re-initialises the shared limiter)."""
    from tests.conftest import make_test_app

    return make_test_app(database_url, tmp_path_factory.mktemp("proxied"), TRUSTED_PROXIES=1)


def _wrong_from(client, address, phone):
    token = csrf_token(client, "/account/login")
    return client.post(
        "/account/login",
        data={"csrf_token": token, "phone": phone, "password": "wrong-password-x"},
        headers={"X-Forwarded-For": address},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},  # nginx
    )


@pytest.mark.usefixtures("limit_storage")
def test_behind_the_proxy_one_address_failing_does_not_block_the_others(proxied_app, db):
    make_user(db, phone="13912340601")
    attacker, colleague = proxied_app.test_client(), proxied_app.test_client()
    # 20 failures per minute per address, spread over numbers (each number has its own pause).
    statuses = [_wrong_from(attacker, "203.0.113.7", f"139123407{i:02d}").status_code for i in range(21)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429
    token = csrf_token(colleague, "/account/login")
    response = colleague.post(
        "/account/login",
        data={"csrf_token": token, "phone": "13912340601", "password": "good-pass-2026"},
        headers={"X-Forwarded-For": "203.0.113.8"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.status_code == 302, "another person behind the same proxy logs in"


@pytest.mark.usefixtures("limit_storage")
def test_without_a_trusted_proxy_a_forged_address_does_not_escape_the_limit(client, db):
    statuses = [_wrong_from(client, f"198.51.100.{i}", f"139123408{i:02d}").status_code for i in range(21)]
    assert statuses[20] == 429, "X-Forwarded-For is ignored unless PORTAL_TRUSTED_PROXIES says a proxy sets it"


def test_ipv6_clients_count_by_their_64_block(app):
    from portal.extensions import client_address

    with app.test_request_context(environ_base={"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}):
        first = client_address()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "2001:db8:1:2:bbbb::9"}):
        assert client_address() == first == "2001:db8:1:2::/64"
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        assert client_address() == "203.0.113.9"


# ---------------------------------------------------------------- `users create --full-data` (point 12)


def _create(runner, phone, *extra, role="staff"):
    args = ["users", "create", "--role", role, "--phone", phone, "--name", "全权经办", "--password", "good-pass-2026"]
    return runner.invoke(args=[*args, *extra])


def test_cli_full_data_flag_lets_staff_export_full_numbers(app, runner, db):
    import csv
    import io

    from portal.audit import AuditLog
    from tests.helpers import submit_application

    applicant = make_user(db, phone="13411119001", name="陈返乡")
    submit_application(app, db, applicant, "loan", county="411324")
    result = _create(
        runner, "13411119002", "--unit", "411324-hrss", "--lead", "--full-data", "--reason", "贷款审核核对身份证号"
    )
    assert result.exit_code == 0, result.output
    assert "full personal data" in result.output and "13411119002" not in result.output, "the number is masked"
    assert _create(runner, "13411119003", "--unit", "411324-hrss").exit_code == 0

    def exported_phones(phone):
        client = app.test_client()
        assert login(client, phone, "good-pass-2026").status_code == 302
        body = client.get("/staff/queue/export.csv").get_data(as_text=True).lstrip("\ufeff")
        return [row[7] for row in list(csv.reader(io.StringIO(body)))[1:]]

    assert exported_phones("13411119002") == ["13411119001"]
    assert exported_phones("13411119003") == ["134****9001"]
    user = db.session.scalar(sa.select(User).where(User.phone == "13411119002"))
    created = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "user.create", AuditLog.object_id == str(user.id))
    )
    assert created.after["full_personal_data"] is True
    granted = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "data_access.grant", AuditLog.object_id == str(user.id))
    )
    assert granted.after["reason"] == "贷款审核核对身份证号"


def test_cli_full_data_needs_a_reason(runner, db):
    result = _create(runner, "13411119005", "--unit", "411324-hrss", "--full-data")
    assert result.exit_code != 0
    assert "请写明授权理由" in result.output
    assert db.session.scalar(sa.select(User).where(User.phone == "13411119005")) is None


def test_cli_full_data_is_refused_for_applicants(runner, db):
    result = _create(runner, "13411119004", "--full-data", role="applicant")
    assert result.exit_code != 0
    assert "只有工作人员、领导小组办公室和管理员可以查看完整的个人信息" in result.output
    assert db.session.scalar(sa.select(User).where(User.phone == "13411119004")) is None
