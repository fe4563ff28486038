"""/admin/calendar: an administrator enters a year's holiday schedule; open deadlines, the applicant's promise and
the counters follow; the missing-year warning goes away. The schedules here are made up for a test year."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.applications.models import Application, ApplicationEvent
from portal.notify.models import OutboxMessage
from portal.queues import queries
from portal.queues.calendar import WorkCalendar
from portal.queues.models import QueueItem
from tests.helpers import client_for, csrf_token, make_user, submit_application, text

YEAR = 2028  # chinese-calendar does not know it; the schedule below is invented for the test
DAY = date(YEAR, 3, 1)  # a Wednesday
OFF = "2028-03-06 至 2028-03-08\n2028-03-10"  # Mon–Wed and Fri
WORKDAYS = "2028-03-11"  # a Saturday
PAGES = ["/admin/calendar", "/admin/routing", "/admin/routing/propose"]


@pytest.fixture
def admin(db):
    return make_user(db, role="admin", phone="13611110001", name="管理员甲")


@pytest.fixture
def in_test_year(monkeypatch):
    """Beijing's today is DAY, and applications are submitted at 10:00 that day."""
    from portal.applications import operations

    monkeypatch.setattr(queries, "today", lambda: DAY)
    monkeypatch.setattr(operations, "utcnow", lambda: datetime(YEAR, 3, 1, 2, 0, tzinfo=UTC))


def _schedule(**changes) -> dict:
    values = {"year": str(YEAR), "off": OFF, "workdays": WORKDAYS, "notice": "国办发明电〔2027〕99号"}
    values["notice_date"] = "2027-11-20"
    return {**values, **changes}


def _post(client, **changes):
    data = {"csrf_token": csrf_token(client, "/admin/calendar"), **_schedule(**changes)}
    return client.post("/admin/calendar", data=data, follow_redirects=True)


@pytest.mark.parametrize(
    ("role", "extra"),
    [
        ("applicant", {}),
        ("staff", {"unit_code": "city-hrss"}),
        ("office", {"unit_code": "city-office"}),
        ("editor", {}),
    ],
)
def test_only_administrators_see_the_rules_pages(app, db, role, extra):
    make_user(db, role=role, phone="13611110009", **extra)
    client = client_for(app, "13611110009")
    assert {page: client.get(page).status_code for page in PAGES} == dict.fromkeys(PAGES, 404)
    assert client.post("/admin/calendar", data=_schedule()).status_code in (400, 404)


def test_anonymous_visitors_are_asked_to_sign_in_and_admins_see_the_pages(app, db, admin):
    assert {app.test_client().get(p).status_code for p in PAGES} == {302}
    client = client_for(app, "13611110001")
    assert {client.get(p).status_code for p in PAGES} == {200}


def _open_loan(app, db, people) -> QueueItem:
    application_id = submit_application(app, db, people["applicant"], "loan", county="411324")
    return db.session.scalar(
        sa.select(QueueItem).where(QueueItem.application_id == application_id, QueueItem.role == "lead")
    )


def test_a_schedule_moves_open_deadlines_the_promise_and_the_timeline(app, db, people, admin, in_test_year, runner):
    item = _open_loan(app, db, people)
    weekends_only = WorkCalendar().add_working_days(DAY, 15)
    assert item.due_date == weekends_only
    entered = {"years": {YEAR: {"off": ["2028-03-06", "2028-03-07", "2028-03-08", "2028-03-10"],
                                "workdays": ["2028-03-11"]}}}  # fmt: skip
    expected = WorkCalendar(None, entered).add_working_days(DAY, 15)
    assert expected != weekends_only

    client = client_for(app, "13611110001")
    page = text(client.get("/admin/calendar"))
    assert "尚无安排" in page and "还没有 2028 年" in page
    page = text(_post(client))
    assert "已保存2028年的节假日安排；1 份在办申请的办理期限已按新安排调整。" in page
    assert "国办发明电〔2027〕99号" in page and "还没有 2028 年" not in page

    db.session.expire_all()
    item = db.session.get(QueueItem, item.id)
    assert item.due_date == expected
    application = db.session.get(Application, item.application_id)
    assert application.promised_date == expected and application.promise_reason == "recalculated"
    co_items = db.session.scalars(sa.select(QueueItem).where(QueueItem.application_id == application.id)).all()
    assert {i.due_date for i in co_items} == {expected}
    notes = db.session.scalars(
        sa.select(ApplicationEvent).where(
            ApplicationEvent.application_id == application.id, ApplicationEvent.action == "deadline_recalculated"
        )
    ).all()
    assert len(notes) == 1 and notes[0].message.startswith("因国务院办公厅公布2028年节假日安排，办理期限调整为")

    with app.test_request_context():
        from flask_babel import format_date

        short, long = format_date(expected, "short"), format_date(expected, "long")
    assert short in text(client_for(app, "13411110002").get("/staff/queue"))
    mine = text(client_for(app, "13411110001").get(f"/my/applications/{application.tracking_no}"))
    assert long in mine and "办理期限调整" in mine and "因国务院办公厅公布2028年节假日安排" in mine
    assert "已按国务院办公厅公布的节假日安排调整" in mine
    bodies = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.user_id == application.applicant_id))
    told = [body for body in bodies if "办理期限改为" in body]  # bodies are encrypted at rest: compared here
    assert told == [f"【南阳返乡创业】因节假日安排调整，您的申请{application.tracking_no}办理期限改为{long}。"]
    inbox = text(client_for(app, "13411110001").get("/messages/"))
    assert "办理期限已调整" in inbox

    result = runner.invoke(args=["counts", "check"])
    assert result.exit_code == 0 and "open_items: ok" in result.output, result.output
    assert "2028" not in text(client_for(app, "13411110007").get("/office/queues"))


def test_entering_the_same_schedule_again_moves_nothing(app, db, people, admin, in_test_year):
    item = _open_loan(app, db, people)
    client = client_for(app, "13611110001")
    _post(client)
    due = db.session.get(QueueItem, item.id).due_date
    assert "0 份在办申请" in text(_post(client, notice="国办发明电〔2027〕100号"))
    db.session.expire_all()
    assert db.session.get(QueueItem, item.id).due_date == due
    events = db.session.scalars(sa.select(ApplicationEvent).where(ApplicationEvent.action == "deadline_recalculated"))
    assert len(events.all()) == 1
    bodies = db.session.scalars(sa.select(OutboxMessage.body))
    assert len([body for body in bodies if "办理期限改为" in body]) == 1  # told once, not again


def test_what_is_entered_wins_over_the_file_and_the_library(app, db, admin):
    holiday = date(2026, 10, 1)
    assert not WorkCalendar().is_workday(holiday)  # chinese-calendar's National Day
    file_rules = {"years": {2026: {"source": "x", "off": [], "workdays": []}}}
    assert WorkCalendar(file_rules).is_workday(holiday)  # the file's year replaces the library's
    assert (
        WorkCalendar(file_rules, {"years": {2026: {"off": ["2026-10-01"], "workdays": []}}}).is_workday(holiday)
        is False
    )
    assert WorkCalendar(file_rules, {"years": {2026: {"off": [], "workdays": []}}}).source(2026) == "portal"
    assert WorkCalendar(file_rules).source(2026) == "file" and WorkCalendar().source(2026) == "library"
    assert WorkCalendar().source(YEAR) is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"off": "2027-12-31"}, "off", "2027-12-31 不在 2028 年"),
        ({"off": "2028-02-30"}, "off", "“2028-02-30”：2028年2月没有30日，请核对。"),  # written right: no such day
        ({"off": "明天"}, "off", "“明天”：请按 年-月-日 填写日期"),
        ({"off": "2028-03-10 至 2028-03-06"}, "off", "起止日期不对"),
        ({"off": "2028-01-01 至 2028-12-31"}, "off", "起止日期不对"),
        ({"off": ""}, "off", "请填写放假日期"),
        ({"workdays": "2028-03-09"}, "workdays", "应是周六或周日"),
        ({"off": "2028-03-11", "workdays": "2028-03-11"}, "workdays", "不能既放假又上班"),
        ({"notice": ""}, "notice", "请填写通知的文号"),
        ({"notice": "七号文"}, "notice", "请按通知上的文号填写"),
        ({"notice": "国" * 101}, "notice", "4 到 100"),
        ({"notice_date": "2027-13-01"}, "notice_date", "年-月-日"),
        ({"notice_date": "2025-01-01"}, "notice_date", "应在2027年或2028年发布"),
        ({"notice_date": "2028-12-01"}, "notice_date", "不能晚于今天"),
        ({"off": "2028-03-06" + "\n2028-03-07" * 400}, "off", "最多 4000 个字符"),
        ({"year": "1999"}, "year", "列表"),
    ],
)
def test_field_messages(app, db, admin, in_test_year, changes, field, message):
    client = client_for(app, "13611110001")
    response = _post(client, **changes)
    assert response.status_code == 200
    page = text(response)
    assert message in page, page[:3000]
    assert f'id="{field}-error"' in page
    assert db.session.scalar(sa.text("select count(*) from holiday_schedule")) == 0


def test_full_width_digits_are_the_same_day(app, db, admin, in_test_year):
    client = client_for(app, "13611110001")
    page = text(_post(client, off="２０２８-０３-０６\n２０２８-０３-０７", workdays=""))
    assert "已保存2028年的节假日安排" in page, page[-2000:]
    assert db.session.scalar(sa.text("select count(*) from holiday_schedule")) == 1


def test_export_data_has_the_format_of_holidays_yaml(app, db, admin, in_test_year):
    from portal.queues.calendar import validate_holidays
    from portal.rules.holidays import export_data

    _post(client_for(app, "13611110001"))
    with app.app_context():
        data = export_data()
    assert validate_holidays(data) == []
    spec = data["years"][YEAR]
    assert spec["source"] == "国办发明电〔2027〕99号" and spec["workdays"] == ["2028-03-11"]
    assert spec["off"] == ["2028-03-06", "2028-03-07", "2028-03-08", "2028-03-10"]
