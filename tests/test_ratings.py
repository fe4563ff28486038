"""好差评 (issue 13 points 5 and 7): rate a decided application once, change it within the period, a poor rating's
follow-up answered by the unit's lead, and what the unit, the office and the public see."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.applications.models import Application
from portal.extensions import limiter
from portal.notify.models import InboxMessage
from portal.queues.models import QueueItem
from portal.ratings.models import FollowUp, Rating
from tests.helpers import client_for, csrf_token, make_user, submit_application, text

PASSWORD = "good-pass-2026"


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


def decide(app, db, application_id: int, how: str = "reject"):
    zp = client_for(app, "13411110002")
    item = db.session.scalar(
        sa.select(QueueItem.id).where(QueueItem.application_id == application_id, QueueItem.role == "lead")
    )
    token = csrf_token(zp, f"/staff/items/{item}")
    zp.post(f"/staff/items/{item}/claim", data={"csrf_token": token})
    zp.post(f"/staff/items/{item}/reject", data={"csrf_token": token, "reason": "经营项目不在扶持范围内"})
    assert db.session.get(Application, application_id).state == "rejected"


def rate(client, number: str, **data):
    token = csrf_token(client, f"/my/applications/{number}")
    return client.post(f"/my/applications/{number}/rating", data={"csrf_token": token, **data}, follow_redirects=True)


def test_an_undecided_application_cannot_be_rated(app, db, people, loan_id):
    number = db.session.get(Application, loan_id).tracking_no
    applicant = client_for(app, "13411110001")
    assert "您对这次办理满意吗" not in text(applicant.get(f"/my/applications/{number}"))
    assert "办结（批准或不予通过）后才能评价" in text(rate(applicant, number, level="5"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 0


def test_rate_once_change_within_the_period_and_refusals(app, db, people, loan_id):
    decide(app, db, loan_id)
    number = db.session.get(Application, loan_id).tracking_no
    applicant = client_for(app, "13411110001")
    assert "您对这次办理满意吗" in text(applicant.get(f"/my/applications/{number}"))
    assert "请选择一个评价等级" in text(rate(applicant, number, level="9"))
    assert "请选择一个评价等级" in text(rate(applicant, number, level="x"))
    assert "请从列出的原因中选择" in text(rate(applicant, number, level="4", reasons="bogus"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 0, "nothing half-saved"
    page = text(rate(applicant, number, level="4", reasons=["fast", "clear"], comment="很快"))
    assert "感谢您的评价" in page and "您的评价：" in page and "满意" in page
    assert "您已经评价过这份申请" in text(rate(applicant, number, level="1"))
    changed = text(rate(applicant, number, level="3", change="1"))
    assert "感谢您的评价" in changed
    rating = db.session.scalar(sa.select(Rating))
    assert rating.level == 3 and rating.changes == 1
    rating.changeable_until = rating.changeable_until - timedelta(days=8)
    db.session.commit()
    assert "现在已不能修改" in text(rate(applicant, number, level="5", change="1"))
    assert db.session.scalar(sa.select(Rating.level)) == 3


def test_nobody_rates_someone_elses_application(app, db, people, loan_id):
    decide(app, db, loan_id)
    number = db.session.get(Application, loan_id).tracking_no
    other = make_user(db, phone="13411119997", name="别人")
    intruder = client_for(app, other.phone)
    token = csrf_token(intruder, "/messages/")
    answer = intruder.post(f"/my/applications/{number}/rating", data={"csrf_token": token, "level": "1"})
    assert answer.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 0


def test_a_poor_rating_opens_a_follow_up_answered_by_the_lead(app, db, people, loan_id):
    from portal.accounts.models import User

    lead_id = db.session.scalar(sa.select(User.id).where(User.phone == "13411110002"))
    decide(app, db, loan_id)
    number = db.session.get(Application, loan_id).tracking_no
    applicant = client_for(app, "13411110001")
    rate(applicant, number, level="1", reasons=["slow"], comment="拖了很久")
    follow_up = db.session.scalar(sa.select(FollowUp))
    assert follow_up is not None and follow_up.status == "open"
    follow_up_id = follow_up.id
    lead_inbox = db.session.scalars(sa.select(InboxMessage.subject).where(InboxMessage.user_id == lead_id))
    assert any("差评待整改" in s for s in lead_inbox)
    # a colleague who is not the lead reads it but cannot answer; another unit does not see it
    colleague = client_for(app, "13411110003")
    page = text(colleague.get(f"/staff/ratings/follow-ups/{follow_up_id}"))
    assert "拖了很久" in page and "整改答复由本单位负责人填写" in page
    assert client_for(app, "13411110004").get(f"/staff/ratings/follow-ups/{follow_up_id}").status_code == 404
    assert applicant.get(f"/staff/ratings/follow-ups/{follow_up_id}").status_code == 404
    lead = client_for(app, "13411110002")
    assert "待整改的差评" in text(lead.get("/staff/ratings"))
    token = csrf_token(lead, f"/staff/ratings/follow-ups/{follow_up_id}")
    empty = lead.post(f"/staff/ratings/follow-ups/{follow_up_id}", data={"csrf_token": token, "answer": " "})
    assert "请写明整改情况" in text(empty)
    done = lead.post(
        f"/staff/ratings/follow-ups/{follow_up_id}",
        data={"csrf_token": token, "answer": "已约谈经办人，今后按时办结。"},
        follow_redirects=True,
    )
    assert "整改答复已发送给评价人" in text(done)
    again = lead.post(f"/staff/ratings/follow-ups/{follow_up_id}", data={"csrf_token": token, "answer": "再答一次"})
    assert "已经答复过了" in text(again)
    page = text(applicant.get(f"/my/applications/{number}"))
    assert "已约谈经办人，今后按时办结。" in page and "您的问题解决了吗" in page
    token = csrf_token(applicant, f"/my/applications/{number}")
    applicant.post(f"/my/ratings/follow-ups/{follow_up_id}/feedback", data={"csrf_token": token, "resolved": "no"})
    assert db.session.get(FollowUp, follow_up_id).status == "unresolved"
    office = client_for(app, "13411110007")
    assert "整改未获认可" in text(office.get("/messages/")), "the office is told, as the rater's page says"
    table = text(office.get("/office/ratings?by=unit"))
    assert "镇平县" in table and "评价人认为未解决" in table
    assert "县区" in text(office.get("/office/ratings?by=county"))
    assert applicant.get("/office/ratings").status_code == 404
    assert client_for(app, "13411110002").get("/office/ratings").status_code == 404


def test_the_public_unit_page_shows_ratings_only_from_five_and_without_names(app, db, people):
    unit_code = "411324-hrss"
    numbers = []
    for n in range(5):
        phone = f"1341112000{n}"
        person = make_user(db, phone=phone, name=f"评价人{'甲乙丙丁戊'[n]}")  # a name as on an ID card
        application_id = submit_application(app, db, person, "training", county="411324")
        decide(app, db, application_id)
        numbers.append((phone, db.session.get(Application, application_id).tracking_no))
    anonymous = app.test_client()
    for index, (phone, number) in enumerate(numbers):
        assert "满意率" not in text(anonymous.get(f"/units/{unit_code}")), f"only {index} ratings"
        rate(client_for(app, phone), number, level="5" if index else "2", comment=f"意见{index} 电话13900001111")
    page = text(anonymous.get(f"/units/{unit_code}"))
    assert "共 5 条评价" in page and "满意率 80%" in page
    assert "意见1" in page and "评价人" not in page and "13900001111" not in page
    assert not any(number in page for _, number in numbers)
    english = app.test_client()
    english.set_cookie("lang", "en")
    assert "satisfied" in text(english.get(f"/units/{unit_code}")).lower()


def test_ratings_counter_follows_a_rating_and_its_change(app, db, people, loan_id, runner):
    """/stats/ reads satisfaction from the ratings counter: kept on rating and on changing it."""
    from portal.core.tally import Tally

    decide(app, db, loan_id)
    number = db.session.get(Application, loan_id).tracking_no
    applicant = client_for(app, "13411110001")
    rate(applicant, number, level="2", reasons=["slow"])
    rate(applicant, number, level="4", change="1")
    kept = dict(
        db.session.execute(
            sa.select(Tally.kind, sa.func.sum(Tally.n)).where(Tally.measure == "ratings").group_by(Tally.kind)
        ).all()
    )
    assert kept.get("4") == 1 and not kept.get("2")
    result = runner.invoke(args=["counts", "check", "--measure", "ratings"])
    assert result.exit_code == 0 and "ratings: ok" in result.output
