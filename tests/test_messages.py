"""站内消息: the message centre of every role, the unread count, replies reaching staff, the staff's daily digest
and the SMS preferences (issue 13 points 4 and 7)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications.models import Application
from portal.extensions import limiter
from portal.notify.models import InboxMessage, OutboxMessage
from portal.queues.models import QueueItem
from tests.helpers import client_for, csrf_token, make_user, text

PASSWORD = "good-pass-2026"


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


def lead_item(db, application_id: int) -> QueueItem:
    return db.session.scalar(
        sa.select(QueueItem).where(QueueItem.application_id == application_id, QueueItem.role == "lead")
    )


def act(client, item_id: int, action: str, **data):
    token = csrf_token(client, f"/staff/items/{item_id}")
    return client.post(f"/staff/items/{item_id}/{action}", data={"csrf_token": token, **data}, follow_redirects=True)


def ask_for_material(app, db, loan_id):
    zp = client_for(app, "13411110002")
    item = lead_item(db, loan_id)
    act(zp, item.id, "claim")
    act(zp, item.id, "request_material", missing="营业执照复印件", message="请补齐营业执照")
    return zp, item


def messages_of(db, phone: str) -> list[InboxMessage]:
    owner = db.session.scalar(sa.select(User).where(User.phone == phone))
    return list(
        db.session.scalars(sa.select(InboxMessage).where(InboxMessage.user_id == owner.id).order_by(InboxMessage.id))
    )


def unread_badge(html: str) -> int:
    match = re.search(r'href="/messages/">消息 <span class="badge"[^>]*>(\d+)</span>', html)
    return int(match.group(1)) if match else 0


def test_the_applicant_reads_messages_newest_first_and_opening_one_marks_it_read(app, db, people, loan_id):
    ask_for_material(app, db, loan_id)
    applicant = client_for(app, "13411110001")
    html = text(applicant.get("/messages/"))
    assert unread_badge(html) == len(messages_of(db, "13411110001")) >= 2
    assert html.index("需要补正材料") < html.index("申请已送达办理单位"), "newest first"
    assert "未读" in html
    wanted = next(m for m in messages_of(db, "13411110001") if m.subject == "需要补正材料")
    before = unread_badge(html)
    # looking at the message is a GET: it changes nothing
    page = text(applicant.get(f"/messages/{wanted.id}"))
    assert "请补齐营业执照" in page and f"/my/applications/{db.session.get(Application, loan_id).tracking_no}" in page
    assert unread_badge(text(applicant.get("/messages/"))) == before
    token = csrf_token(applicant, "/messages/")
    opened = applicant.post(f"/messages/{wanted.id}/open", data={"csrf_token": token}, follow_redirects=True)
    assert opened.status_code == 200 and "请补齐营业执照" in text(opened)
    assert unread_badge(text(applicant.get("/messages/"))) == before - 1
    assert db.session.get(InboxMessage, wanted.id).read_at is not None


def test_nobody_reads_or_opens_someone_elses_message(app, db, people, loan_id):
    ask_for_material(app, db, loan_id)
    wanted = messages_of(db, "13411110001")[-1].id
    other = make_user(db, phone="13411119999", name="别人")
    intruder = client_for(app, other.phone)
    assert intruder.get(f"/messages/{wanted}").status_code == 404
    token = csrf_token(intruder, "/messages/")
    assert intruder.post(f"/messages/{wanted}/open", data={"csrf_token": token}).status_code == 404
    assert intruder.post(f"/messages/{wanted}/open").status_code == 400, "no CSRF token, no change"
    assert db.session.get(InboxMessage, wanted).read_at is None
    assert app.test_client().get("/messages/").status_code == 302  # logged out: to the login page


def test_a_reply_from_the_message_reaches_the_items_timeline_for_staff(app, db, people, loan_id):
    zp, item = ask_for_material(app, db, loan_id)
    item = item.id
    applicant = client_for(app, "13411110001")
    wanted = next(m for m in messages_of(db, "13411110001") if m.subject == "需要补正材料").id
    page = text(applicant.get(f"/messages/{wanted}"))
    assert "回复办理单位" in page
    token = csrf_token(applicant, f"/messages/{wanted}")
    number = db.session.get(Application, loan_id).tracking_no
    empty = applicant.post(
        f"/my/applications/{number}/reply",
        data={"csrf_token": token, "reply": "  ", "message": wanted},
        follow_redirects=True,
    )
    assert "请填写回复的内容" in text(empty)
    done = applicant.post(
        f"/my/applications/{number}/reply",
        data={"csrf_token": token, "reply": "营业执照正在补办，下周一上传。", "message": wanted},
        follow_redirects=True,
    )
    assert "回复已送达办理单位" in text(done)
    assert db.session.get(Application, loan_id).state == "needs_material", "a reply keeps the state"
    staff_page = text(zp.get(f"/staff/items/{item}"))
    assert "申请人回复" in staff_page and "营业执照正在补办，下周一上传。" in staff_page
    # someone else cannot reply to it
    other = make_user(db, phone="13411119998", name="别人")
    intruder = client_for(app, other.phone)
    token = csrf_token(intruder, "/messages/")
    refused = intruder.post(f"/my/applications/{number}/reply", data={"csrf_token": token, "reply": "x"})
    assert refused.status_code == 404


def test_replying_to_a_closed_application_is_refused_with_a_reason(app, db, people, loan_id):
    applicant = client_for(app, "13411110001")
    number = db.session.get(Application, loan_id).tracking_no
    token = csrf_token(applicant, f"/my/applications/{number}")
    applicant.post(f"/my/applications/{number}/withdraw", data={"csrf_token": token, "reason": "不办了"})
    events = len(db.session.get(Application, loan_id).events)
    answer = applicant.post(
        f"/my/applications/{number}/reply", data={"csrf_token": token, "reply": "还有问题"}, follow_redirects=True
    )
    assert "不能再回复" in text(answer)
    db.session.expire_all()
    assert len(db.session.get(Application, loan_id).events) == events, "nothing half-saved"
    english = client_for(app, "13411110001", lang="en")
    token = csrf_token(english, f"/my/applications/{number}")
    answer = english.post(
        f"/my/applications/{number}/reply", data={"csrf_token": token, "reply": "still"}, follow_redirects=True
    )
    assert "can no longer reply" in text(answer)


def test_a_reply_long_after_the_decision_is_refused(app, db, people, loan_id):
    zp = client_for(app, "13411110002")
    item = lead_item(db, loan_id)
    act(zp, item.id, "claim")
    act(zp, item.id, "reject", reason="经营项目不在扶持范围内")
    number = db.session.get(Application, loan_id).tracking_no
    applicant = client_for(app, "13411110001")
    assert "回复办理单位" in text(applicant.get(f"/my/applications/{number}"))
    application = db.session.get(Application, loan_id)
    application.decided_at = application.decided_at - timedelta(days=31)
    db.session.commit()
    token = csrf_token(applicant, "/messages/")
    answer = applicant.post(
        f"/my/applications/{number}/reply",
        data={"csrf_token": token, "reply": "我想再问问"},
        follow_redirects=True,
    )
    assert "办结已超过 30 天" in text(answer)


def test_staff_get_one_daily_digest_and_only_the_lead_an_sms(app, db, people, loan_id, runner):
    number = db.session.get(Application, loan_id).tracking_no
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 0, result.output
    lead, colleague = messages_of(db, "13411110002"), messages_of(db, "13411110003")
    assert len([m for m in lead if "待办摘要" in m.subject]) == 1
    digest = next(m for m in colleague if "待办摘要" in m.subject)
    assert "新收件" in digest.body and number in digest.body
    assert "wrote 0 digests" in runner.invoke(args=["notify", "digest"]).output, "once a day"
    sms = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.purpose == "digest")))
    assert {m.recipient for m in sms} == {"13411110002"} and all(len(m.body) <= 70 for m in sms)
    zp2 = client_for(app, "13411110003")
    assert "待办摘要" in text(zp2.get("/messages/"))
    assert number not in "".join(m.body for m in messages_of(db, "13411110004")), "another county's staff"


def test_the_digest_lists_replies_and_visits_waiting_for_confirmation(app, db, people, loan_id, runner):
    runner.invoke(args=["notify", "digest"])
    ask_for_material(app, db, loan_id)
    applicant = client_for(app, "13411110001")
    number = db.session.get(Application, loan_id).tracking_no
    token = csrf_token(applicant, f"/my/applications/{number}")
    applicant.post(f"/my/applications/{number}/reply", data={"csrf_token": token, "reply": "好的"})
    from portal.notify import digest

    tomorrow = digest.beijing_today() + timedelta(days=1)
    with app.app_context():
        assert digest.send_digests(tomorrow) >= 1
    body = [m for m in messages_of(db, "13411110003") if "待办摘要" in m.subject][-1].body
    assert "申请人回复" in body and number in body
    assert "新收件" not in body, "an item is new only in the first digest after it arrived"


def test_sms_preferences_keep_essential_notices(app, db, people, loan_id):
    applicant = client_for(app, "13411110001")
    page = text(applicant.get("/messages/settings"))
    assert "申请进度" in page and "每日待办摘要" not in page
    token = csrf_token(applicant, "/messages/settings")
    saved = applicant.post("/messages/settings", data={"csrf_token": token, "sms": ["visit"]}, follow_redirects=True)
    assert "短信提醒设置已保存" in text(saved)
    owner = db.session.scalar(sa.select(User).where(User.phone == "13411110001"))
    before = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id)))
    zp = client_for(app, "13411110002")
    item = lead_item(db, loan_id)
    act(zp, item.id, "claim")
    act(zp, item.id, "accept")
    act(zp, item.id, "request_material", missing="营业执照复印件")
    sent = list(
        db.session.scalars(
            sa.select(OutboxMessage.body).where(OutboxMessage.user_id == owner.id, OutboxMessage.id > before)
        )
    )
    assert not any("已受理" in b for b in sent), "受理 is not essential: its SMS was turned off"
    assert any("补正" in b for b in sent), "补正 always goes by SMS"
    assert any(m.subject == "申请已受理" for m in messages_of(db, "13411110001")), "the inbox still has it"


def test_the_message_centre_in_english(app, db, people, loan_id):
    ask_for_material(app, db, loan_id)
    english = client_for(app, "13411110002", lang="en")
    html = text(english.get("/messages/"))
    assert "My messages" in html and "Messages" in html
    assert "SMS settings" in html
