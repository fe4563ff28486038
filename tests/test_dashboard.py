"""The leading group's dashboard (issue 14): each indicator equals a hand count over fixed data, edges included;
targets from content and from the portal; off-line figures kept apart; who may see which county; the export."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.applications.models import Application
from portal.audit import AuditLog
from portal.catalog.models import County, Mentor
from portal.dashboard import indicators, queries
from portal.dashboard.models import OfflineFigure, Target
from portal.queues.models import QueueItem
from portal.visits.models import Visit, VisitOffer, VisitRecord
from tests.helpers import client_for, csrf_token, submit_application, text

YEAR = 2025


def county(db, code: str) -> County:
    return db.session.scalar(sa.select(County).where(County.code == code))


def decided(db, user, kind: str, code: str, when: datetime, state: str = "approved", **extra) -> Application:
    """An application as it stands after its decision (fixed history for counting)."""
    application = Application(
        type=kind, state=state, applicant_id=user.id, form_key=uuid.uuid4().hex, county_id=county(db, code).id,
        township="城关镇", answers={}, submitted_at=when - timedelta(days=10), decided_at=when, **extra,
    )  # fmt: skip
    db.session.add(application)
    db.session.flush()
    return application


def beijing(y, m, d, hour=10) -> datetime:
    """A moment given in Beijing time, as stored (UTC)."""
    return datetime(y, m, d, hour, tzinfo=UTC) - timedelta(hours=8)


def recount() -> None:
    """Fixed history is written straight into the tables, without the signals that keep the counters: count it."""
    from portal.core import tally

    for measure in tally.SOURCES:
        tally.fix(measure)


def total(rows, code=None, db=None) -> Decimal:
    wanted = county(db, code).id if code else None
    return sum((v for c, _m, v in rows if wanted is None or c == wanted), Decimal(0))


@pytest.fixture
def history(app, db, people):
    """Fixed data for 2025 in 镇平县 (411324) and 西峡县 (411323), with the edges the issue names."""
    u = people["applicant"]
    # loans: two approved (20 + 30.5 万元), one rejected, one withdrawn; one approved at 00:30 on 1 January 2026
    # Beijing time (still 31 December in UTC: it belongs to 2026)
    decided(db, u, "loan", "411324", beijing(YEAR, 3, 5), amount_wan=Decimal("20"))
    decided(db, u, "loan", "411323", beijing(YEAR, 11, 20), amount_wan=Decimal("30.5"))
    decided(db, u, "loan", "411324", beijing(YEAR, 4, 1), state="rejected", amount_wan=Decimal("50"))
    decided(db, u, "loan", "411324", beijing(YEAR, 4, 2), state="withdrawn", amount_wan=Decimal("10"))
    decided(db, u, "loan", "411324", datetime(YEAR, 12, 31, 16, 30, tzinfo=UTC), amount_wan=Decimal("7"))
    # training: approved and attended (counts, by the day attended), approved but not attended (does not),
    # attended in January 2026 after a December 2025 approval (counts for 2026)
    decided(db, u, "training", "411324", beijing(YEAR, 6, 1), attended_on=date(YEAR, 6, 20))
    decided(db, u, "training", "411323", beijing(YEAR, 6, 1), attended_on=date(YEAR, 7, 2))
    decided(db, u, "training", "411324", beijing(YEAR, 6, 3))
    decided(db, u, "training", "411324", beijing(YEAR, 12, 20), attended_on=date(YEAR + 1, 1, 8))
    # mentoring: one one-to-one approved (counts), one approved by accepting a visit seat (counted in the visit)
    decided(db, u, "mentoring", "411324", beijing(YEAR, 5, 6))
    seated = decided(db, u, "mentoring", "411324", beijing(YEAR, 5, 7))
    mentor = db.session.scalar(sa.select(Mentor).order_by(Mentor.id))
    visit = Visit(
        mentor_id=mentor.id, county_id=county(db, "411324").id, dest_kind="township", township="城关镇",
        place_key="township:411324:城关镇", day=date(YEAR, 5, 20), start_time=datetime(2000, 1, 1, 9).time(),
        end_time=datetime(2000, 1, 1, 11).time(), topics=[], capacity=30, status="completed",
        confirm_unit_id=people["zp"].unit_id,
    )  # fmt: skip
    db.session.add(visit)
    db.session.flush()
    db.session.add(VisitRecord(visit_id=visit.id, attendees=12, topics_covered="x", filed_by_id=people["zp"].id))
    db.session.add(VisitOffer(application_id=seated.id, visit_id=visit.id, offered_by_id=people["zp"].id,
                              status="accepted"))  # fmt: skip
    db.session.commit()
    with app.test_request_context():
        recount()
        db.session.commit()


def test_loans_count_approved_amounts_by_beijing_date(app, db, ctx, history):
    rows = indicators.count_loans(YEAR)
    assert total(rows) == Decimal("50.5")  # 20 + 30.5: rejected, withdrawn and the 2026 one left out
    assert total(rows, "411324", db) == Decimal("20") and total(rows, "411323", db) == Decimal("30.5")
    assert {m for _c, m, _v in rows} == {3, 11}
    assert total(indicators.count_loans(YEAR + 1)) >= Decimal("7")


def test_training_counts_attendance_not_approval(app, db, ctx, history):
    rows = indicators.count_training(YEAR)
    assert total(rows) == 2
    assert sorted(m for _c, m, _v in rows) == [6, 7]  # the month attended, not the month approved


def test_mentoring_counts_visit_attendees_and_one_to_one_once(app, db, ctx, history):
    assert total(indicators.count_mentoring(YEAR)) == 12 + 1


def test_progress_against_target_and_time_elapsed(app, db, ctx, history):
    db.session.add(Target(year=YEAR, indicator="loans", value=Decimal("100"), source="测试"))
    db.session.commit()
    board = queries.board(YEAR)
    loans = next(p for p in board.progress if p.indicator.key == "loans")
    assert loans.expected == 1.0 and loans.share == pytest.approx(0.505) and loans.status == "behind"
    assert queries.elapsed_share(2026, date(2026, 7, 2)) == pytest.approx(183 / 365)  # 2 July is day 183, counted whole
    seed = next(p for p in queries.board(2021).progress if p.indicator.key == "new_entrepreneurs")
    assert seed.goal.value == 11200 and "宛农工创〔2021〕1号" in seed.goal.source and not seed.goal.set_in_portal


def test_transferred_application_counts_once_for_its_county(app, db, people):
    application_id = submit_application(app, db, people["applicant"], "training", county="411324")
    zp, xx = client_for(app, "13411110002"), client_for(app, "13411110004")
    item = db.session.scalar(sa.select(QueueItem.id).where(QueueItem.application_id == application_id))
    token = csrf_token(zp, f"/staff/items/{item}")
    zp.post(f"/staff/items/{item}/claim", data={"csrf_token": token})
    zp.post(
        f"/staff/items/{item}/transfer", data={"csrf_token": token, "unit": "411323-hrss", "reason": "学员在西峡培训"}
    )
    moved = db.session.scalar(
        sa.select(QueueItem.id).where(QueueItem.application_id == application_id, QueueItem.status == "open")
    )
    token = csrf_token(xx, f"/staff/items/{moved}")
    for action in ("claim", "accept", "approve"):
        xx.post(f"/staff/items/{moved}/{action}", data={"csrf_token": token})
    assert db.session.get(Application, application_id).state == "approved"
    assert "登记参训" not in text(zp.get(f"/staff/items/{item}"))  # the old unit lost it (404)
    page = text(xx.get(f"/staff/items/{moved}"))
    assert "登记参训" in page
    bad = text(xx.post(f"/staff/items/{moved}/attended", data={"csrf_token": token, "attended_on": "2026-02-30"},
                       follow_redirects=True))  # fmt: skip
    assert "请按“年-月-日”填写参训日期" in bad
    today = queries.today()
    done = xx.post(f"/staff/items/{moved}/attended", data={"csrf_token": token, "attended_on": f"{today:%Y-%m-%d}"},
                   follow_redirects=True)  # fmt: skip
    assert "参训已登记" in text(done)
    with app.test_request_context():
        rows = indicators.count_training(today.year)
        assert total(rows, "411324", db) == 1 and total(rows, "411323", db) == 0
        assert db.session.get(Application, application_id).decision_working_days is not None
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "application.attended"))


def test_who_sees_which_county(app, db, people):
    lead = client_for(app, "13411110002")  # 镇平县人社局's lead
    colleague = client_for(app, "13411110003")  # not the lead
    other = client_for(app, "13411110005")  # 镇平县财政局
    office = client_for(app, "13411110007")
    assert lead.get("/office/").status_code == 200
    assert "镇平县" in text(lead.get("/office/")) and "西峡县" not in text(lead.get("/office/"))
    assert lead.get("/office/?county=411323").status_code == 404
    assert lead.get("/office/export.xlsx?county=411323").status_code == 404
    assert colleague.get("/office/").status_code == 404 and other.get("/office/").status_code == 404
    assert lead.get("/office/targets").status_code == 404
    page = text(office.get("/office/"))
    assert "全市" in page and "西峡县" in page and "镇平县" in page
    assert office.get("/office/?county=411323").status_code == 200
    assert office.get("/office/?county=nowhere").status_code == 404
    applicant = client_for(app, "13411110001")
    assert applicant.get("/office/").status_code == 404


def test_office_sets_targets_audited_and_offline_figures_stay_apart(app, db, people, history):
    office = client_for(app, "13411110007")
    year = queries.today().year
    token = csrf_token(office, "/office/targets")
    bad = text(office.post("/office/targets", data={"csrf_token": token, "indicator": "loans", "county": "",
                                                    "value": "-5", "source": "宛农工创〔2026〕1号"}))  # fmt: skip
    assert "目标数值应大于 0" in bad and "宛农工创〔2026〕1号" in bad  # the other answer kept
    huge = text(office.post("/office/targets", data={"csrf_token": token, "indicator": "loans", "county": "",
                                                     "value": "9" * 40, "source": "文号"}))  # fmt: skip
    assert "不超过 999999999" in huge
    half = office.post("/office/targets", data={"csrf_token": token, "indicator": "new_entrepreneurs", "county": "",
                                                "value": "12.5", "source": "宛农工创〔2026〕1号"})  # fmt: skip
    assert half.status_code == 400 and "人数请填整数。" in text(half) and "宛农工创〔2026〕1号" in text(half)
    office.post("/office/targets", data={"csrf_token": token, "indicator": "loans", "county": "",
                                         "value": "１２００", "source": "宛农工创〔2026〕1号"})  # fmt: skip
    office.post("/office/targets", data={"csrf_token": token, "indicator": "loans", "county": "411324",
                                         "value": "300", "source": "宛农工创〔2026〕1号"})  # fmt: skip
    target = db.session.scalar(sa.select(Target).where(Target.year == year, Target.county_code == ""))
    assert target.value == 1200
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "target.set")) == 2
    # a county's off-line return: by the county's 人社局 staff (not the lead only), not by another county's
    zp2 = client_for(app, "13411110003")
    token = csrf_token(zp2, "/office/offline")
    form = {"csrf_token": token, "indicator": "training", "county": "411324", "month": "1", "value": "15",
            "note": "县人社局月报：其他机构培训"}  # fmt: skip
    zp2.post("/office/offline", data=form)
    refused = zp2.post("/office/offline", data={**form, "county": "411323"})
    assert "请从列表里选择一项" in text(refused)
    zp2.post("/office/offline", data={**form, "value": "18"})  # replaces January's figure
    figures = db.session.scalars(sa.select(OfflineFigure)).all()
    assert [(f.value, f.month) for f in figures] == [(Decimal("18"), 1)]
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "offline_figure.set")) == 2
    page = text(office.get(f"/office/?year={year}"))
    assert "线下报送 18" in page and "目标 1,200" in page
    with app.test_request_context():
        board = queries.board(year)
        training = next(p for p in board.progress if p.indicator.key == "training")
        # counted: in 2026, the trainee of the history who attended on 8 January; the off-line 18 stays apart
        counted = 1 if year == YEAR + 1 else 0
        assert training.offline == 18 and training.counted == counted and training.total == 18 + counted


def test_export_is_a_workbook_with_every_part(app, db, people, history):
    from openpyxl import load_workbook

    office = client_for(app, "13411110007")
    response = office.get(f"/office/export.xlsx?year={YEAR}")
    assert response.status_code == 200 and response.mimetype.endswith("sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["说明", "目标进度", "分县区", "月度", "单位办理", "工作要点"]
    progress = {row[0]: row for row in book["目标进度"].iter_rows(min_row=2, values_only=True)}
    assert progress["创业担保贷款"][3] == 50.5
    assert book["工作要点"].max_row == 15  # header + the plan's 14 items


def test_dashboard_in_english_and_chart_images(app, db, people, history):
    office = client_for(app, "13411110007", lang="en")
    page = text(office.get(f"/office/?year={YEAR}"))
    assert "Guarantee loans" in page or "guarantee loan" in page.lower()
    html = office.get(f"/office/?year={YEAR}").get_data(as_text=True)
    assert html.count('src="data:image/svg+xml;base64,') >= 4
    assert "<script" not in html.split("<main", 1)[-1]


def test_demo_command_fills_a_year_once_and_pages_say_demo(app, db, runner, people):
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect != "sqlite":
        refused = runner.invoke(args=["dashboard", "demo"])
        assert refused.exit_code != 0 and "--allow-production" in refused.output
        args = ["dashboard", "demo", "--allow-production"]
    else:
        args = ["dashboard", "demo"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "demo activity added (marked 演示数据)" in result.output
    assert "already there" in runner.invoke(args=args).output
    with app.test_request_context():
        board = queries.board(queries.today().year)
        assert board.demo and all(p.counted > 0 for p in board.progress)
        assert all(p.goal and p.goal.demo for p in board.progress)
    office = client_for(app, "13411110007")
    assert "演示数据" in text(office.get("/office/"))
    assert "演示数据" in text(app.test_client().get("/stats/"))
    overview = text(office.get("/office/queues"))  # days to close count from the demo's own submission days
    averages = [float(cell) for cell in re.findall(r"<td>(-?\d+\.\d)</td>", overview)]
    assert averages and all(0 <= days <= 60 for days in averages), averages


def test_a_chart_without_figures_says_so_in_the_readers_language(app, db, people):
    """No county has a target yet (the default): the county chart has no bars and says 暂无数据, not pygal's English."""
    import base64

    office = client_for(app, "13411110007")
    html = office.get(f"/office/?year={YEAR}").get_data(as_text=True)
    svgs = [base64.b64decode(b).decode("utf-8") for b in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]
    assert svgs and not any("No data" in svg for svg in svgs)
    assert any("暂无数据" in svg for svg in svgs)
