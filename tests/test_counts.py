"""Counters kept with every change (core.tally): after real journeys through the portal's pages they equal the
counts from the rows themselves, `flask counts check` says so, and finds and repairs a counter that drifted."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications.models import Application
from portal.core.tally import Tally
from portal.queues.models import QueueItem
from tests.helpers import client_for, csrf_token, submit_application, text
from tests.test_queues import _fresh_limits, act, lead_item  # noqa: F401 (_fresh_limits is an autouse fixture)


def journeys(app, db, people, loan_id):
    person = db.session.scalar(sa.select(User).where(User.phone == "13411110001"))
    training = submit_application(app, db, person, "training")
    person = db.session.scalar(sa.select(User).where(User.phone == "13411110001"))
    mentoring = submit_application(app, db, person, "mentoring")
    zp = client_for(app, "13411110002")
    item_id = lead_item(db, loan_id).id
    act(zp, item_id, "claim")
    act(zp, item_id, "request_material", codes=["amount"])  # the clock pauses
    number = db.session.get(Application, loan_id).tracking_no
    applicant = client_for(app, "13411110001")
    token = csrf_token(applicant, f"/my/applications/{number}")
    applicant.post(
        f"/my/applications/{number}/supplement",
        data={"csrf_token": token, "amount_wan": "15"},
        content_type="multipart/form-data",
    )  # fmt: skip  (resumes, deadline moved)
    act(zp, item_id, "request_material", codes=["purpose"], second_reason="用途写得不清楚")  # asked twice
    t_item = lead_item(db, training).id
    for action in ("claim", "accept", "approve"):
        act(zp, t_item, action)
    from portal.core.tally import local_day

    today = local_day(db.session.get(Application, training).decided_at)
    assert "参训已登记" in text(act(zp, t_item, "attended", attended_on=today.isoformat()))
    m_item = lead_item(db, mentoring).id
    act(zp, m_item, "claim")
    act(zp, m_item, "transfer", unit="411323-hrss", reason="申请人在西峡创业")
    xx = client_for(app, "13411110004")
    moved = db.session.scalar(
        sa.select(QueueItem.id).where(
            QueueItem.application_id == mentoring, QueueItem.status == "open", QueueItem.role == "lead"
        )
    )
    act(xx, moved, "claim")
    assert "不予通过" in text(act(xx, moved, "reject", reason="不在辅导范围内"))
    db.session.expire_all()
    assert db.session.get(Application, mentoring).state == "rejected"


def test_counters_kept_by_the_journeys_equal_the_rows(app, db, people, loan_id, runner):
    journeys(app, db, people, loan_id)
    result = runner.invoke(args=["counts", "check"])
    assert result.exit_code == 0, result.output
    measures = ("open_items", "open_items_dekad", "open_items_month", "received", "decided", "days", "attended")
    for measure in (*measures, "material_twice"):
        assert f"{measure}: ok" in result.output
    kept = {m: n for m, n in db.session.execute(sa.select(Tally.measure, sa.func.sum(Tally.n)).group_by(Tally.measure))}
    assert kept["received"] == 3 and kept["decided"] == 2 and kept["attended"] == 1 and kept["material_twice"] == 1
    open_items = db.session.scalar(sa.select(sa.func.count()).where(QueueItem.status == "open"))
    assert kept["open_items"] == open_items > 0


def test_check_finds_a_drifted_counter_and_fix_repairs_it(app, db, people, loan_id, runner):
    db.session.execute(sa.delete(Tally).where(Tally.measure == "open_items"))
    db.session.commit()
    found = runner.invoke(args=["counts", "check"])
    assert found.exit_code == 1
    assert any(
        line.startswith("open_items: ") and line.endswith("cell(s) differ") for line in found.output.splitlines()
    )
    assert "counted 0/" in found.output
    fixed = runner.invoke(args=["counts", "check", "--fix"])
    assert "rewritten from the source rows" in fixed.output
    assert runner.invoke(args=["counts", "check", "--measure", "open_items"]).exit_code == 0
    assert "unknown measure" in runner.invoke(args=["counts", "check", "--measure", "nope"]).output


def _open_items_now(db):
    return list(db.session.scalars(sa.select(QueueItem).where(QueueItem.status == "open").order_by(QueueItem.id)))


def test_overdue_from_the_counters_is_the_items_past_their_deadline_on_every_day(app, db, people, loan_id):
    """Open items are counted by deadline day, ten-day period (旬) and month; "overdue" sums the months before this
    one, this month's periods before today's and this period's days before today. Walked across month ends
    (a 28-day February), the 10th/11th and 20th/21st, with a paused clock, against the items themselves."""
    from datetime import date, timedelta

    from portal.queues import counts

    person = db.session.scalar(sa.select(User).where(User.phone == "13411110001"))
    submit_application(app, db, person, "training")
    person = db.session.scalar(sa.select(User).where(User.phone == "13411110001"))
    submit_application(app, db, person, "mentoring")
    items = _open_items_now(db)
    assert len(items) >= 4
    deadlines = [date(2026, 1, 9), date(2026, 1, 31), date(2026, 2, 10), date(2026, 2, 11), date(2026, 2, 20),
                 date(2026, 2, 21), date(2026, 2, 28), date(2026, 3, 1)]  # fmt: skip
    for k, item in enumerate(items):  # as queues.operations moves a deadline: leave the cells, change, enter
        counts.left(item)
        item.due_date = deadlines[k % len(deadlines)]
        if k == 1:
            from datetime import UTC, datetime

            item.paused_since = datetime(2026, 1, 5, tzinfo=UTC)  # a paused clock is open, never overdue
        counts.entered(item)
    db.session.commit()
    day = date(2026, 1, 1)
    while day <= date(2026, 3, 12):
        expected: dict[int, tuple[int, int]] = {}
        for item in items:
            n_open, late = expected.get(item.unit_id, (0, 0))
            expected[item.unit_id] = (n_open + 1, late + (item.paused_since is None and item.due_date < day))
        assert counts.open_and_overdue(day) == expected, day
        overview = {unit.id: (n_open, late) for unit, n_open, late, *_rest in counts.per_unit(day)}
        assert overview == expected, day
        day += timedelta(days=1)


def test_compact_folds_shards_and_drops_zero_cells_without_changing_a_sum(app, db, people, loan_id, runner):
    from datetime import date

    from portal.core import tally

    journeys(app, db, people, loan_id)
    for shard in range(3):  # one cell spread over three shard rows, and a cell that sums to zero
        db.session.add(Tally(measure="received", day=date(2026, 1, 1), unit_id=7, kind="loan", shard=shard, n=2))
    db.session.add_all([
        Tally(measure="open_items", day=date(2026, 1, 5), unit_id=7, shard=1, n=1),
        Tally(measure="open_items", day=date(2026, 1, 5), unit_id=7, shard=4, n=-1),
    ])  # fmt: skip
    db.session.commit()
    before = {m: tally.cells(m) for m in tally.SOURCES}
    rows_before = db.session.scalar(sa.select(sa.func.count()).select_from(Tally))

    result = runner.invoke(args=["counts", "compact"])
    assert result.exit_code == 0, result.output
    assert "received: 3 row(s) of folded cells → 1" in result.output
    db.session.expire_all()
    assert {m: tally.cells(m) for m in tally.SOURCES} == before
    per_cell = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(Tally.n), sa.func.sum(Tally.amount)).group_by(
            Tally.measure, Tally.day, Tally.county_id, Tally.unit_id, Tally.kind
        )
    ).all()
    assert all(rows == 1 and (n or amount) for rows, n, amount in per_cell)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tally)) < rows_before
    assert not db.session.scalar(sa.select(Tally.id).where(Tally.measure == "open_items", Tally.unit_id == 7))
    assert runner.invoke(args=["counts", "check", "--measure", "received"]).exit_code == 1  # the extra rows above
    assert runner.invoke(args=["counts", "check", "--measure", "open_items"]).exit_code == 0
    assert "unknown measure" in runner.invoke(args=["counts", "compact", "--measure", "nope"]).output


def test_a_withdrawal_is_not_the_units_banjie(app, db, people, loan_id, runner):
    """/office/queues counts decided items as 已办结 (and their days); an application the applicant withdrew closes
    its items but is not the unit's 办结."""
    from portal.applications import operations

    person = db.session.scalar(sa.select(User).where(User.phone == "13411110001"))
    training = submit_application(app, db, person, "training")
    number = db.session.get(Application, training).tracking_no
    with app.test_request_context():
        operations.withdraw(db.session.scalar(sa.select(User).where(User.phone == "13411110001")), number, "不需要了")
        db.session.commit()
    assert db.session.get(Application, training).state == "withdrawn"
    office = client_for(app, "13411110007")
    row = next(r for r in text(office.get("/office/queues")).split("<tr") if "镇平县人力资源" in r)
    cells = [c.split("</td>")[0] for c in row.split("<td>")[2:]]  # 在办, 超期, 已办结, 平均办理天数, 二次补正
    assert cells[2] == "0" and cells[3] == "—", cells
    zp = client_for(app, "13411110002")
    item_id = lead_item(db, loan_id).id
    for action in ("claim", "accept"):
        act(zp, item_id, action)
    act(zp, item_id, "reject", reason="不符合条件")
    row = next(r for r in text(office.get("/office/queues")).split("<tr") if "镇平县人力资源" in r)
    assert [c.split("</td>")[0] for c in row.split("<td>")[2:]][2] == "1"
    assert runner.invoke(args=["counts", "check", "--measure", "closed_items"]).exit_code == 0
