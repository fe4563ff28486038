"""Staff queues: each unit sees its own items; claim, decide, ask for material, transfer, co-review; deadlines."""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.accounts import grants
from portal.accounts.models import User
from portal.applications.models import Application
from portal.audit import AuditLog
from portal.extensions import limiter
from portal.notify.models import InboxMessage, OutboxMessage
from portal.queues import operations, queries
from portal.queues.calendar import WorkCalendar
from portal.queues.models import QueueItem
from tests.helpers import (
    PDF,
    Statements,
    client_for,
    csrf_token,
    id_number,
    login,
    make_user,
    submit_application,
    text,
    upload,
)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


def user(db, phone: str) -> User:
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def lead_item(db, application_id: int) -> QueueItem:
    return db.session.scalar(
        sa.select(QueueItem).where(
            QueueItem.application_id == application_id, QueueItem.role == "lead", QueueItem.status == "open"
        )
    )


def act(client, item_id: int, action: str, **data):
    token = csrf_token(client, f"/staff/items/{item_id}")
    return client.post(f"/staff/items/{item_id}/{action}", data={"csrf_token": token, **data}, follow_redirects=True)


def test_staff_see_only_their_own_units_queue(app, db, people, loan_id):
    item = lead_item(db, loan_id)
    number = db.session.get(Application, loan_id).tracking_no
    zp, xx = app.test_client(), app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    login(xx, "13411110004", "good-pass-2026")
    assert number in text(zp.get("/staff/queue"))
    assert number not in text(xx.get("/staff/queue"))
    assert xx.get(f"/staff/items/{item.id}").status_code == 404
    token = csrf_token(xx, "/staff/queue")
    assert xx.post(f"/staff/items/{item.id}/claim", data={"csrf_token": token}).status_code == 404
    assert number not in text(xx.get("/staff/queue/export.csv"))


def test_applicants_cannot_reach_staff_pages(app, db, people, loan_id, client):
    item = lead_item(db, loan_id)
    login(client, "13411110001", "good-pass-2026")
    for path in ["/staff/queue", f"/staff/items/{item.id}", "/staff/queue/export.csv", "/office/queues"]:
        assert client.get(path).status_code == 404, path
    assert app.test_client().get("/staff/queue").status_code == 302  # logged out: to the login page


def test_full_journey_with_co_review(app, db, people, loan_id):
    item = lead_item(db, loan_id)
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    assert "请先认领" in text(act(zp, item.id, "accept"))
    assert "已认领" in text(act(zp, item.id, "claim"))
    assert "已受理" in text(act(zp, item.id, "accept"))
    html = text(act(zp, item.id, "approve"))
    assert "还要等" in html and "镇平县财政局" in html and "人行南阳中心支行" in html
    for phone, unit_code in (("13411110005", "411324-finance"), ("13411110006", "city-pbc")):
        reviewer = app.test_client()
        login(reviewer, phone, "good-pass-2026")
        co = db.session.scalar(
            sa.select(QueueItem).where(QueueItem.application_id == loan_id, QueueItem.role == "co_review")
        )
        co = next(i for i in queries.siblings(co) if i.unit.code == unit_code)
        act(reviewer, co.id, "claim")
        assert "不同意时请写明理由" in text(act(reviewer, co.id, "opinion", opinion="disagree"))
        assert "会审意见已记录" in text(act(reviewer, co.id, "opinion", opinion="agree", opinion_text="符合贴息条件"))
    assert "已批准" in text(act(zp, item.id, "approve", message="请到合作银行办理放款手续。"))
    application = db.session.get(Application, loan_id)
    assert application.state == "approved"
    assert all(i.status == "closed" for i in queries.siblings(lead_item_any(db, loan_id)))
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    timeline = text(applicant.get(f"/my/applications/{application.tracking_no}"))
    for step in ["提交申请", "分送办理单位", "受理", "批准", "请到合作银行办理放款手续"]:
        assert step in timeline
    assert "符合贴息条件" not in timeline, "co-review opinions are internal"
    # what happens next: who will call, what to bring, whom to ask
    assert "批准以后" in timeline and "创业贷款担保中心" in timeline and "身份证原件" in timeline
    assert "有疑问请联系：镇平县人力资源和社会保障局" in timeline
    sms = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.user_id == application.applicant_id))
    bodies = list(sms)
    assert any("已受理" in b for b in bodies) and any("已批准" in b for b in bodies)
    assert all(len(b) <= 70 for b in bodies)
    inbox = db.session.scalars(sa.select(InboxMessage.subject).where(InboxMessage.user_id == application.applicant_id))
    assert "申请已批准" in list(inbox)


def test_an_approved_training_application_says_what_happens_next(app, db, people):
    training = submit_application(app, db, people["applicant"], "training", county="411324")
    item_id = lead_item(db, training).id
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    for action in ("claim", "accept", "approve"):
        act(zp, item_id, action)
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    html = text(applicant.get(f"/my/applications/{db.session.get(Application, training).tracking_no}"))
    assert "批准以后" in html and "培训的时间和地点" in html and "创业贷款担保中心" not in html


def lead_item_any(db, application_id):
    return db.session.scalar(
        sa.select(QueueItem).where(QueueItem.application_id == application_id, QueueItem.role == "lead")
    )


def test_request_material_pauses_the_clock_and_the_answer_resumes_it(app, db, people, loan_id, monkeypatch):
    item = lead_item(db, loan_id)
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    act(zp, item.id, "claim")
    assert "请列出需要补正的材料" in text(act(zp, item.id, "request_material", missing=""))
    act(zp, item.id, "request_material", missing="营业执照复印件\n近三个月流水", message="请补齐两份材料")
    item = lead_item(db, loan_id)
    assert item.paused_since is not None and item.app_state == "needs_material"
    due_before = item.due_date
    assert "暂停" in text(zp.get("/staff/queue"))
    # the applicant answers three calendar days later
    later = item.paused_since + timedelta(days=3)
    monkeypatch.setattr(queries, "today", lambda: later)
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    number = db.session.get(Application, loan_id).tracking_no
    token = csrf_token(applicant, f"/my/applications/{number}")
    applicant.post(
        f"/my/applications/{number}/supplement",
        data={"csrf_token": token, "comment": "已补齐", "files": [upload(PDF, "执照.pdf")]},
        content_type="multipart/form-data",
    )
    item = lead_item(db, loan_id)
    paused_days = WorkCalendar().working_days_between(later - timedelta(days=3), later)
    assert item.paused_since is None
    # the deadline moves by exactly the working days the clock was paused (none, if those days were all holidays)
    expected_due = WorkCalendar().add_working_days(due_before, paused_days) if paused_days else due_before
    assert item.due_date == expected_due
    assert (item.due_date > due_before) == (paused_days > 0)


def test_reject_needs_a_reason_the_applicant_sees(app, db, people, loan_id):
    item = lead_item(db, loan_id)
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    act(zp, item.id, "claim")
    assert "请写明不予通过的理由" in text(act(zp, item.id, "reject", reason=""))
    act(zp, item.id, "reject", reason="经营项目不在扶持范围内")
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    number = db.session.get(Application, loan_id).tracking_no
    html = text(applicant.get(f"/my/applications/{number}"))
    assert "未通过" in html and "经营项目不在扶持范围内" in html


def test_transfer_to_another_unit(app, db, people, loan_id):
    item = lead_item(db, loan_id)
    zp, xx = app.test_client(), app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    login(xx, "13411110004", "good-pass-2026")
    act(zp, item.id, "claim")
    assert "请写明转交理由" in text(act(zp, item.id, "transfer", unit="411323-hrss", reason=""))
    act(zp, item.id, "transfer", unit="411323-hrss", reason="申请人已迁居西峡县")
    new = lead_item(db, loan_id)
    assert new.unit.code == "411323-hrss" and new.from_unit.code == "411324-hrss"
    assert db.session.get(QueueItem, item.id).status == "transferred"
    assert "由镇平县人力资源和社会保障局转来" in text(xx.get(f"/staff/items/{new.id}"))
    number = db.session.get(Application, loan_id).tracking_no
    assert number not in text(zp.get("/staff/queue"))


def test_only_the_unit_lead_assigns(app, db, people, loan_id):
    item = lead_item(db, loan_id)
    lead, colleague = app.test_client(), app.test_client()
    login(lead, "13411110002", "good-pass-2026")
    login(colleague, "13411110003", "good-pass-2026")
    zp2 = user(db, "13411110003")
    assert "只有单位负责人可以分派" in text(act(colleague, item.id, "assign", colleague=zp2.id))
    xx = user(db, "13411110004")
    assert "只能分派给本单位" in text(act(lead, item.id, "assign", colleague=xx.id))
    assert "已分派" in text(act(lead, item.id, "assign", colleague=zp2.id))
    assert db.session.get(QueueItem, item.id).claimed_by_id == zp2.id
    assert "镇平同事（待办 1）" in text(lead.get(f"/staff/items/{item.id}"))


def test_colleagues_load_list_leaves_out_the_reader(app, db, people, loan_id):
    lead, colleague = app.test_client(), app.test_client()
    login(lead, "13411110002", "good-pass-2026")
    login(colleague, "13411110003", "good-pass-2026")
    as_lead = text(lead.get("/staff/queue")).split("同事手上的待办")[1]
    assert "镇平同事：0" in as_lead and "镇平经办" not in as_lead
    as_colleague = text(colleague.get("/staff/queue")).split("同事手上的待办")[1]
    assert "镇平经办（负责人）：0" in as_colleague and "镇平同事" not in as_colleague


def test_internal_notes_are_not_shown_to_the_applicant(app, db, people, loan_id):
    item = lead_item(db, loan_id)
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    act(zp, item.id, "note", note="电话核实过经营场地")
    assert "电话核实过经营场地" in text(zp.get(f"/staff/items/{item.id}"))
    applicant = app.test_client()
    login(applicant, "13411110001", "good-pass-2026")
    number = db.session.get(Application, loan_id).tracking_no
    assert "电话核实过经营场地" not in text(applicant.get(f"/my/applications/{number}"))


def test_office_reads_everything_and_acts_on_nothing(app, db, people, loan_id):
    item = lead_item(db, loan_id)
    office = app.test_client()
    login(office, "13411110007", "good-pass-2026")
    html = text(office.get("/office/queues"))
    assert "镇平县人力资源和社会保障局" in html
    assert office.get(f"/staff/items/{item.id}").status_code == 200
    assert f'/staff/items/{item.id}/claim"' not in text(office.get(f"/staff/items/{item.id}")), "no action forms"
    assert act(office, item.id, "claim").status_code == 404
    assert db.session.get(QueueItem, item.id).claimed_by_id is None


def test_export_masks_personal_numbers_unless_allowed(app, db, people, loan_id):
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    response = zp.get("/staff/queue/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # once, not "…; charset=utf-8; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "申请编号" and len(rows) == 2
    full_id = id_number()
    assert rows[1][6] == full_id[:4] + "**********" + full_id[-4:]
    assert rows[1][7] == "134****0001"
    staff = user(db, "13411110002")
    grants.grant(staff, None, "贷款审核核对身份证号", grants.today())
    db.session.commit()
    rows = list(csv.reader(io.StringIO(zp.get("/staff/queue/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][6] == full_id
    xlsx = zp.get("/staff/queue/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "queue.export"))
        == 3
    )


def test_export_shows_times_as_people_in_nanyang_read_them(app, db, people, loan_id):
    application = db.session.get(Application, loan_id)
    application.submitted_at = datetime(2026, 3, 1, 16, 14, tzinfo=UTC)  # 00:14 on 2 March in Nanyang
    db.session.commit()
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    rows = list(csv.reader(io.StringIO(zp.get("/staff/queue/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    column = rows[0].index("提交时间（北京时间）")
    assert rows[1][column] == "2026-03-02 00:14"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(zp.get("/staff/queue/export.xlsx").data)).active
    assert [cell.value for cell in sheet[2]][column] == "2026-03-02 00:14"


def test_overdue_items_turn_red_and_units_are_reminded(app, db, people, loan_id, runner):
    item = lead_item(db, loan_id)
    item.due_date = date.today() - timedelta(days=10)
    db.session.commit()
    zp = app.test_client()
    login(zp, "13411110002", "good-pass-2026")
    html = text(zp.get("/staff/queue?overdue=1"))
    assert "已超期" in html and db.session.get(Application, loan_id).tracking_no in html
    result = runner.invoke(args=["queues", "remind"])
    assert result.exit_code == 0 and "1 overdue" in result.output
    assert "0 overdue" in runner.invoke(args=["queues", "remind"]).output, "once a day"
    inbox = db.session.scalars(
        sa.select(InboxMessage.subject).where(InboxMessage.user_id == user(db, "13411110003").id)
    )
    assert any("超过办理时限" in s for s in inbox)
    lead_sms = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.purpose == "overdue"))
    assert any("已超期" in b for b in lead_sms)


def test_keyset_pagination_walks_every_item_once_in_deadline_order(ctx, db, people, loan_id):
    item = lead_item(db, loan_id)
    for i in range(60):
        db.session.add(
            QueueItem(
                application_id=loan_id,
                unit_id=item.unit_id,
                role="co_review",
                status="open",
                app_type="loan",
                app_state="submitted",
                county_id=item.county_id,
                due_date=date(2026, 1, 1) + timedelta(days=i % 7),
            )
        )
    db.session.flush()
    seen, cursor = [], None
    while True:
        page = queries.queue_page(item.unit_id, queries.Filters(), None, cursor=cursor, per_page=25, with_counts=False)
        seen += [(i.due_date, i.id) for i in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 61
    assert seen == sorted(seen)
    assert queries.decode_cursor("not-a-cursor!!") is None


# ---------------------------------------------------------------- working days


def test_working_days_skip_public_holidays_and_count_make_up_days():
    import chinese_calendar

    cal = WorkCalendar()
    assert not cal.is_workday(date(2026, 10, 1))
    assert cal.add_working_days(date(2026, 9, 30), 1) > date(2026, 10, 7)
    makeup = [d for d in chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31)) if d.weekday() >= 5]
    assert makeup, "2026 has make-up working days"
    assert cal.is_workday(makeup[0])
    assert cal.working_days_between(makeup[0] - timedelta(days=1), makeup[0]) == 1


def test_years_the_library_does_not_know_fall_back_to_content_then_weekends():
    plain = WorkCalendar()
    assert plain.uncovered_years(date(2027, 3, 1)) == [2027]
    assert plain.is_workday(date(2027, 1, 1))  # a Friday: weekends only, no crash
    with_content = WorkCalendar(
        {"years": {2027: {"source": "test", "off": ["2027-01-01"], "workdays": ["2027-01-09"]}}}
    )
    assert not with_content.is_workday(date(2027, 1, 1))
    assert with_content.is_workday(date(2027, 1, 9))  # a Saturday made a working day
    assert with_content.uncovered_years(date(2027, 3, 1)) == []


# ---------------------------------------------------------------- concurrency


@pytest.mark.committing
def test_two_staff_claiming_at_once_exactly_one_wins(isolated_app):
    from portal.db import writing
    from portal.errors import InvalidTransition
    from portal.extensions import db

    app = isolated_app
    with app.app_context():
        applicant = make_user(db, phone="13411119001", name="并发申请人")
        make_user(db, role="staff", phone="13411119002", name="甲", unit_code="411324-hrss")
        make_user(db, role="staff", phone="13411119003", name="乙", unit_code="411324-hrss")
        application_id = submit_application(app, db, applicant, "training", id_number=id_number(seq="777"))
        item_id = lead_item(db, application_id).id
        db.session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def try_claim(phone: str):
        with app.app_context(), writing():
            barrier.wait(timeout=30)  # both start their transactions together
            try:
                staff = db.session.scalar(sa.select(User).where(User.phone == phone))
                operations.claim(staff, item_id)
                db.session.commit()
                outcomes.append("won")
            except InvalidTransition as exc:
                db.session.rollback()
                outcomes.append(exc.message)
            except Exception as exc:  # reported by the assertions below
                db.session.rollback()
                outcomes.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=try_claim, args=(p,)) for p in ("13411119002", "13411119003")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=len)[0] == "won"
    assert outcomes.count("won") == 1
    loser = next(o for o in outcomes if o != "won")
    assert "已被" in loser and "认领" in loser


def status_of(client, url: str) -> int:
    response = client.get(url)
    response.close()
    return response.status_code


def test_a_unit_loses_an_application_the_moment_it_transfers_it(app, db, people):
    """Regression: after 镇平县人社局 transferred an application, its staff could still open it and download a
    补正 file uploaded after the transfer. Now every page and file URL answers 404 to the old unit, while a
    co-reviewing unit keeps its own item."""
    loan = submit_application(app, db, people["applicant"], "loan", county="411324", collateral="equipment")
    number = db.session.get(Application, loan).tracking_no
    old = lead_item(db, loan)
    zp, xx, fin, applicant = (app.test_client() for _ in range(4))
    for client, phone in ((zp, "13411110002"), (xx, "13411110004"), (fin, "13411110005"), (applicant, "13411110001")):
        login(client, phone, "good-pass-2026")
    act(zp, old.id, "claim")
    act(zp, old.id, "transfer", unit="411323-hrss", reason="申请人已迁居西峡县")
    new = lead_item(db, loan)
    act(xx, new.id, "claim")
    act(xx, new.id, "request_material", missing="近三个月银行流水", message="请补充")
    token = csrf_token(applicant, f"/my/applications/{number}")
    applicant.post(
        f"/my/applications/{number}/supplement",
        data={"csrf_token": token, "comment": "流水已上传", "files": [upload(PDF, "流水.pdf")]},
        content_type="multipart/form-data",
    )
    files = db.session.get(Application, loan).attachments
    assert {a.kind for a in files} == {"collateral", "supplement"}
    urls = [f"/staff/items/{item_id}" for item_id in (old.id, new.id)]
    urls += [f"/staff/items/{item_id}/files/{a.id}" for item_id in (old.id, new.id) for a in files]
    assert {url: status_of(zp, url) for url in urls} == dict.fromkeys(urls, 404)
    assert number not in text(zp.get("/staff/queue")) and number not in text(zp.get("/staff/queue/export.csv"))
    assert number not in text(zp.get("/staff/queue?state=needs_material"))
    # the new unit and the co-reviewing 镇平县财政局 see the application and every file, the 补正 included
    co = next(i for i in queries.siblings(new) if i.unit.code == "411324-finance")
    for client, item in ((xx, new), (fin, co)):
        assert client.get(f"/staff/items/{item.id}").status_code == 200
        assert [status_of(client, f"/staff/items/{item.id}/files/{a.id}") for a in files] == [200, 200]


def test_the_queue_page_asks_the_database_as_often_for_twelve_rows_as_for_one(app, db, people, loan_id):
    """One statement per page, not per row: each row's deadline clock reads the calendar and the warning threshold
    of the page (it read the routing rules once per row: 11 → 35 statements in bench/load.py)."""
    staff, office = client_for(app, "13411110002"), client_for(app, "13411110007")
    pages = ("/staff/queue", "/office/queues", "/staff/queue?state=submitted")

    def statements() -> dict[str, int]:
        found = {}
        for url in pages:
            who = office if url.startswith("/office") else staff
            who.get(url)  # anything cached on the first visit is cached
            with Statements(app) as sql:
                assert who.get(url).status_code == 200
            found[url] = len(sql.seen)
        return found

    few = statements()
    for n in range(11):
        person = db.session.scalar(sa.select(User).where(User.phone == "13411110001"))
        submit_application(app, db, person, ("training", "mentoring")[n % 2], county="411324")
    unit_id = lead_item(db, loan_id).unit_id
    assert db.session.scalar(sa.select(sa.func.count()).where(QueueItem.unit_id == unit_id)) >= 12
    assert statements() == few
    assert few["/staff/queue"] <= 12


def test_a_later_page_of_the_queue_leads_back_to_the_first(app, db, people, loan_id):
    for n in range(queries.PAGE_SIZE):
        person = db.session.scalar(sa.select(User).where(User.phone == "13411110001"))
        submit_application(app, db, person, ("training", "mentoring")[n % 2], county="411324")
    staff = client_for(app, "13411110002")
    first = staff.get("/staff/queue?type=training").get_data(as_text=True)
    assert "回到第一页" not in first
    first = staff.get("/staff/queue").get_data(as_text=True)
    later = re.search(r'<a rel="next" href="([^"]+)">下一页</a>', first).group(1).replace("&amp;", "&")
    second = staff.get(later).get_data(as_text=True)
    assert '<a href="/staff/queue">回到第一页</a>' in second
