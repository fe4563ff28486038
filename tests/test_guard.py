"""Every input is hostile: the request guard answers the same clear 400 (never a 500) for what no browser sends."""

from __future__ import annotations

import logging
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from portal.catalog.models import Mentor
from portal.core.guard import ascii_int, escape_log_text, parse_month
from portal.extensions import limiter
from portal.visits.models import Visit
from tests.helpers import csrf_token, login, make_user, text, upload

# The requests the issue found answering 500 (PostgreSQL refuses NUL, ids past 64 bits, ...), and their kin.
REFUSED = [
    "/api/v1/units/%00",
    "/bases/%00",
    "/policies/%00",
    "/mentor/calendar/%00.ics",
    "/my/applications/%00",
    "/visits/99999999999999999999",
    "/staff/items/99999999999999999999",
    "/visits/9223372036854775808",
    "/bases/%0d%0aSet-Cookie:x",
    "/bases/?page=" + "9" * 1001,
]


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


@pytest.mark.parametrize("url", REFUSED)
def test_hostile_requests_get_the_clear_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    body = text(response)
    if url.startswith("/api/"):
        assert response.json["error"]["status"] == 400 and response.json["error"]["message"]
    else:
        assert "请求有误" in body and "Traceback" not in body


def test_the_400_page_says_what_was_wrong_in_the_readers_language(client, en_client):
    zh = text(client.get("/bases/%00"))
    assert "不允许的控制字符" in zh
    en = text(en_client.get("/bases/%00"))
    assert "control character" in en and "控制字符" not in en
    assert "out of range" in text(en_client.get("/visits/99999999999999999999"))
    api = en_client.get("/api/v1/units/%00").json
    assert "control character" in api["error"]["message"]


@pytest.mark.parametrize("url", ["/search?county=%00", "/search?q=%00", "/visits/?county=%00", "/visits/?topic=%00"])
def test_a_nul_in_a_query_is_an_unknown_value_like_any_other(client, url):
    response = client.get(url)
    assert response.status_code == 200 and "Traceback" not in text(response)


def test_a_nul_in_a_filter_gets_the_unknown_value_notice_or_the_apis_400(client):
    page = client.get("/bases/?county=%00")
    assert page.status_code == 200 and "没有找到“\ufffd”这个筛选条件，已忽略它。" in text(page)
    for url in ("/api/v1/bases?county=%00", "/api/v1/search?q=a&county=%00", "/api/v1/bases?page=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json["error"]["code"] == "invalid_parameter"
        assert "\x00" not in response.get_data(as_text=True)


def test_broken_utf8_in_a_query_is_an_unknown_value_like_any_other(client):
    response = client.get("/bases/?county=%ff%fe")
    assert response.status_code == 200 and "没有找到“%FF%FE”这个筛选条件，已忽略它。" in text(response)
    assert client.get("/search?q=%ff%fe").status_code == 200


def test_ids_within_64_bits_are_not_found_or_refused_by_the_database_net(app, client, en_client):
    postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    # PostgreSQL's INTEGER columns end at 2**31 - 1: the database refuses the value, which answers 400, not 500.
    response = en_client.get("/visits/9223372036854775807")
    assert response.status_code == (400 if postgres else 404)
    if postgres:
        assert "out of the range" in text(response)
    assert client.get("/visits/2147483647").status_code == 404
    assert client.get("/visits/%EF%BC%91%EF%BC%92").status_code == 404  # full-width digits are not an id


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13", "2026-00", "20261", "２０２６-０５", "-1-1"])
def test_impossible_months_fall_back_to_this_month_with_a_notice(client, month):
    response = client.get(f"/visits/?view=month&month={month}")
    assert response.status_code == 200
    assert f"没有“{month}”这个月份，已显示本月。" in text(response)


def test_a_real_month_is_shown(client):
    response = client.get("/visits/?view=month&month=2026-05")
    assert response.status_code == 200 and "这个月份" not in text(response)


def test_values_parsed_from_input():
    assert parse_month("2026-05") == date(2026, 5, 1)
    assert parse_month("9999-12") is None and parse_month("0001-01") is None and parse_month("2026-5x") is None
    assert ascii_int("12") == 12 and ascii_int(" 7 ") == 7
    for bad in ("²", "５", "-1", "1e3", "99999999999999999999", "", None, "NaN"):
        assert ascii_int(bad) is None, bad


def test_form_fields_with_nul_or_broken_utf8_are_refused_with_the_page(client):
    token = csrf_token(client, "/account/login")
    response = client.post("/account/login", data={"csrf_token": token, "phone": "139\x0012340001", "password": "x"})
    assert response.status_code == 400 and "不允许的控制字符" in text(response)
    response = client.post(
        "/account/login",
        data=f"csrf_token={token}&phone=%ff%fe&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and "无效的文字编码" in text(response)
    client.set_cookie("lang", "en")
    response = client.post(
        "/account/login",
        data=f"csrf_token={token}&phone=%ff%fe&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert "not UTF-8" in text(response)


def test_line_breaks_and_tabs_in_form_text_are_fine(client):
    token = csrf_token(client, "/account/login")
    response = client.post(
        "/account/login", data={"csrf_token": token, "phone": "13912340001", "password": "a\r\nb\tc"}
    )
    assert response.status_code != 400 or "控制字符" not in text(response)


def test_file_names_with_nul_are_refused(app, db):
    make_user(db, phone="13912340009")
    client = app.test_client()
    login(client, "13912340009", "good-pass-2026")
    token = csrf_token(client, "/apply/training")
    response = client.post(
        "/apply/training",
        data={"csrf_token": token, "business_plan": upload(b"%PDF-1.4\n", "plan\x00.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "文件的名称含有不允许的控制字符" in text(response)


def test_an_over_long_enterprise_name_is_a_field_message_and_nothing_is_saved(app, db):
    slug = db.session.scalar(sa.select(Mentor.slug).where(Mentor.accepts_visits).order_by(Mentor.slug))
    make_user(db, role="mentor", phone="13311119001", name="导师甲", mentor_slug=slug)
    mentor = app.test_client()
    login(mentor, "13311119001", "good-pass-2026")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Visit))
    day = date.today() + timedelta(days=12)
    response = mentor.post(
        "/mentor/visits",
        data={
            "csrf_token": csrf_token(mentor, "/mentor/visits"),
            "dest_kind": "enterprise",
            "county": "411324",
            "enterprise_name": "企" * 300,
            "address": "镇平县某路 1 号",
            "day": day.isoformat(),
            "start": time(9).isoformat("minutes"),
            "end": time(11).isoformat("minutes"),
            "topics": ["ecommerce"],
            "capacity": "3",
        },
    )
    assert response.status_code == 400
    assert "请填写不超过 120 个字。" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == before


def test_log_lines_cannot_be_forged(app, caplog):
    with caplog.at_level(logging.WARNING):
        app.logger.warning("not found: %s", "/x\n2026-01-01 INFO portal: admin logged in\r")
        logging.getLogger("elsewhere").warning("raw\nline")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["not found: /x\\n2026-01-01 INFO portal: admin logged in\\r", "raw\\nline"]
    assert len(caplog.text.strip().splitlines()) == 2, "two records, two lines"
    assert escape_log_text("a\x00b\u2028c") == "a\\x00b\\u2028c"


def test_a_request_with_a_line_break_in_its_path_logs_one_line(app, caplog):
    client = app.test_client()
    with caplog.at_level(logging.INFO):
        client.get("/search%0aFORGED")
        app.logger.info("path %s", "/search\nFORGED")
    assert all("\n" not in r.getMessage() for r in caplog.records)


def test_a_string_longer_than_its_column_is_refused_before_the_flush(ctx, db):
    from portal.errors import InvalidInput

    user = make_user(db, phone="13912340019")
    user.name = "名" * 500
    with pytest.raises(InvalidInput) as refused:
        db.session.flush()
    assert refused.value.status == 400 and "请缩短后再提交" in refused.value.message
    db.session.rollback()


@pytest.mark.parametrize("colleague", ["99999999999999999999", "²", "１"])
def test_assigning_to_an_impossible_colleague_is_a_message(app, db, colleague):
    from portal.queues.models import QueueItem
    from tests.helpers import submit_application

    applicant = make_user(db, phone="13511119001")
    make_user(db, role="staff", phone="13511119002", unit_code="411324-hrss", unit_lead=True)
    submit_application(app, db, applicant, "loan", county="411324")
    item = db.session.scalar(sa.select(QueueItem.id).where(QueueItem.role == "lead"))
    staff = app.test_client()
    login(staff, "13511119002", "good-pass-2026")
    response = staff.post(
        f"/staff/items/{item}/assign",
        data={"csrf_token": csrf_token(staff, f"/staff/items/{item}"), "colleague": colleague},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "只能分派给本单位的工作人员。" in text(response)
