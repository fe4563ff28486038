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
    for measure in ("open_items", "received", "decided", "days", "attended", "material_twice"):
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
