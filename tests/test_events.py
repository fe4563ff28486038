"""Events (活动, issue 17 point 1): a unit publishes a 投资对接会, entrepreneurs register until it is full and then
wait, the waiting list moves up on a cancellation, the organiser checks people in at the door and records the
outcomes, which stay public; the calendar's filters and feed; who may see what; bad input answered with a message;
a 培训班's attendance reaching the dashboard's training counter."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.core.clock import BEIJING
from portal.core.tally import Tally
from portal.events import operations as events
from portal.events.checks import EventErrors, EventInput
from portal.events.models import Event, EventRegistration
from portal.events.queries import local_now
from portal.extensions import limiter
from portal.notify.models import OutboxMessage
from tests.helpers import client_for, csrf_token, make_user, race, text

ZP, XX, OFFICE = "13611110001", "13611110002", "13611110003"
A1, A2, A3, A4 = "13611110011", "13611110012", "13611110013", "13611110014"
DAY = local_now().date() + timedelta(days=10)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


@pytest.fixture
def people(db):
    return {
        "zp": make_user(db, role="staff", phone=ZP, name="镇平人社", unit_code="411324-hrss"),
        "xx": make_user(db, role="staff", phone=XX, name="西峡人社", unit_code="411323-hrss"),
        "office": make_user(db, role="office", phone=OFFICE, name="办公室", unit_code="city-office"),
        "a1": make_user(db, phone=A1, name="报名甲"),
        "a2": make_user(db, phone=A2, name="报名乙"),
        "a3": make_user(db, phone=A3, name="报名丙"),
        "a4": make_user(db, phone=A4, name="报名丁"),
    }


def get(db, phone) -> User:
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def event_input(**changes) -> EventInput:
    values = dict(
        kind="matchmaking",
        title="镇平玉雕项目投资对接会",
        description="投资机构与返乡创业项目面对面。",
        start_day=DAY,
        start_time=time(9),
        end_time=time(12),
        place_kind="address",
        county="411324",
        address="镇平县玉都大道 1 号会议室",
        capacity=2,
        audience="anyone",
    )
    return EventInput(**{**values, **changes})


def published(app, db, phone=ZP, **changes) -> int:
    with app.test_request_context():
        event = events.create(get(db, phone), event_input(**changes))
        events.publish(get(db, phone), event.id)
        db.session.commit()
        return event.id


def form_data(token: str, **changes) -> dict:
    values = {
        "csrf_token": token,
        "kind": "matchmaking",
        "title": "镇平玉雕项目投资对接会",
        "description": "投资机构与返乡创业项目面对面，每个项目路演 8 分钟。",
        "start_day": DAY.isoformat(),
        "start_time": "09:00",
        "end_day": "",
        "end_time": "12:00",
        "deadline_day": "",
        "deadline_time": "",
        "place_kind": "address",
        "place": "",
        "county": "411324",
        "address": "镇平县玉都大道 1 号会议室",
        "online_url": "",
        "capacity": "30",
        "audience": "anyone",
    }
    return {**values, **changes}


def sms_to(db, phone: str) -> list[str]:
    return [m.body for m in db.session.scalars(sa.select(OutboxMessage)) if m.recipient == phone]


def started(db, event_id: int, hours_ago: int = 1) -> None:
    """Move an event's times into the past, as if the day had come (the form refuses past times)."""
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id)
        .values(starts_at=start, ends_at=start + timedelta(hours=3), deadline_at=start - timedelta(hours=1))
    )
    db.session.commit()


def post(client, url: str, page: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


# ---------------------------------------------------------------- publishing


def test_a_unit_publishes_a_matchmaking_event_through_the_form(app, db, people):
    staff = client_for(app, ZP)
    response = staff.post("/staff/events/new", data=form_data(csrf_token(staff, "/staff/events/new")))
    assert response.status_code == 302, text(response)[-2000:]
    event = db.session.scalar(sa.select(Event).order_by(Event.id.desc()).limit(1))
    assert event.status == "draft" and event.unit.code == "411324-hrss" and event.county.code == "411324"
    # entered in Beijing time, stored in UTC
    assert event.starts_at.replace(tzinfo=UTC) == datetime.combine(DAY, time(9), tzinfo=BEIJING).astimezone(UTC)
    anonymous = app.test_client()
    assert anonymous.get(f"/events/{event.id}").status_code == 404
    assert "镇平玉雕项目投资对接会" not in text(anonymous.get("/events/"))
    assert client_for(app, XX).get(f"/events/{event.id}").status_code == 404  # another unit's draft
    assert client_for(app, OFFICE).get(f"/events/{event.id}").status_code == 200  # the office reads drafts
    manage = text(staff.get(f"/staff/events/{event.id}"))
    assert "草稿" in manage and "发布" in manage
    assert post(staff, f"/staff/events/{event.id}/publish", f"/staff/events/{event.id}").status_code == 302
    page = text(anonymous.get("/events/"))
    assert "镇平玉雕项目投资对接会" in page and "投资对接会" in page
    detail = text(anonymous.get(f"/events/{event.id}"))
    assert "09:00–12:00" in detail and "镇平县玉都大道 1 号会议室" in detail and "登录后报名" in detail


def test_the_organiser_edits_times_and_everyone_registered_is_told(app, db, people):
    event_id = published(app, db, capacity=5)
    a1 = client_for(app, A1)
    post(a1, f"/events/{event_id}/register", f"/events/{event_id}")
    staff = client_for(app, ZP)
    page = f"/staff/events/{event_id}"
    moved = (DAY + timedelta(days=1)).isoformat()
    response = staff.post(page, data=form_data(csrf_token(staff, page), start_day=moved, capacity="5"))
    assert response.status_code == 302, text(response)[-2000:]
    assert any("改到" in body for body in sms_to(db, A1))
    assert db.session.get(Event, event_id).version == 2


# ---------------------------------------------------------------- registration and the waiting list


def test_register_fill_it_wait_and_move_up_on_a_cancellation(app, db, people):
    event_id = published(app, db, capacity=2)
    page = f"/events/{event_id}"
    clients = {phone: client_for(app, phone) for phone in (A1, A2, A3)}
    for phone in (A1, A2):
        response = post(clients[phone], f"{page}/register", page)
        assert response.status_code == 302
        assert "您已报名" in text(clients[phone].get(page))
    assert "已满，可排候补" in text(app.test_client().get("/events/"))
    post(clients[A3], f"{page}/register", page)
    assert "候补名单上" in text(clients[A3].get(page))
    assert any("候补名单" in body for body in sms_to(db, A3))
    assert post(clients[A1], f"{page}/cancel-registration", page).status_code == 302
    rows = {r.user.phone: r.status for r in db.session.scalars(sa.select(EventRegistration))}
    assert rows == {A1: "cancelled", A2: "registered", A3: "registered"}
    assert any("有人退出" in body and "转为正式" in body for body in sms_to(db, A3))
    assert "您已报名" in text(clients[A3].get(page))
    assert "报名码" in text(clients[A3].get(page))  # the ticket (QR) for the door
    # who came back joins at the back: the event is full again, so A1 waits
    post(clients[A1], f"{page}/register", page)
    assert (
        db.session.scalar(sa.select(EventRegistration.status).where(EventRegistration.user_id == get(db, A1).id))
        == "waiting"
    )
    mine = text(clients[A1].get("/my/events"))
    assert "镇平玉雕项目投资对接会" in mine and "候补" in mine


def test_a_larger_capacity_moves_the_waiting_list_up(app, db, people):
    event_id = published(app, db, capacity=1)
    for phone in (A1, A2):
        post(client_for(app, phone), f"/events/{event_id}/register", f"/events/{event_id}")
    with app.test_request_context():
        events.update(get(db, ZP), event_id, event_input(capacity=2))
        db.session.commit()
    assert any("名额增加" in body for body in sms_to(db, A2))
    with app.test_request_context():
        with pytest.raises(EventErrors) as refused:
            events.update(get(db, ZP), event_id, event_input(capacity=1))
        assert "不能少于" in refused.value.errors["capacity"]


@pytest.mark.parametrize(
    "setup, message",
    [
        ("twice", "您已经报名了这个活动，不用重复报名"),
        ("deadline", "报名已经截止了"),
        ("cancelled", "活动已取消，不能报名"),
        ("registered_only", "只接受已确认返乡创业登记的创业者报名"),
        ("invited_only", "只接受受邀项目报名"),
    ],
)
def test_registration_refusals_say_why(app, db, people, setup, message):
    changes = {
        "registered_only": {"audience": "registered"},
        "invited_only": {"audience": "invited"},
        "deadline": {"deadline_day": local_now().date(), "deadline_time": (local_now() + timedelta(minutes=2)).time()},
    }.get(setup, {})
    event_id = published(app, db, capacity=5, **changes)
    page = f"/events/{event_id}"
    a1 = client_for(app, A1)
    if setup == "twice":
        post(a1, f"{page}/register", page)
    if setup == "deadline":
        db.session.execute(
            sa.update(Event).where(Event.id == event_id).values(deadline_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        db.session.commit()
    if setup == "cancelled":
        staff = client_for(app, ZP)
        post(staff, f"/staff/events/{event_id}/cancel", f"/staff/events/{event_id}", reason="场地临时维修")
    response = a1.post(f"{page}/register", data={"csrf_token": csrf_token(a1, "/events/")}, follow_redirects=True)
    assert message in text(response)
    seated = db.session.scalar(
        sa.select(sa.func.count()).where(
            EventRegistration.event_id == event_id, EventRegistration.status == "registered"
        )
    )
    assert seated == (1 if setup == "twice" else 0)


def test_a_cancelled_event_tells_everyone_registered_with_the_reason(app, db, people):
    event_id = published(app, db, capacity=5)
    post(client_for(app, A1), f"/events/{event_id}/register", f"/events/{event_id}")
    staff = client_for(app, ZP)
    refused = post(staff, f"/staff/events/{event_id}/cancel", f"/staff/events/{event_id}", reason="")
    assert "请写明取消的原因" in text(staff.get(refused.headers["Location"]))
    done = post(staff, f"/staff/events/{event_id}/cancel", f"/staff/events/{event_id}", reason="场地临时维修")
    assert "活动已取消，已短信通知报名和候补的 1 人。" in text(staff.get(done.headers["Location"]))
    assert any("已取消" in body and "场地临时维修" in body for body in sms_to(db, A1))
    assert "场地临时维修" in text(app.test_client().get(f"/events/{event_id}"))
    nobody = published(app, db, capacity=5)  # nobody registered: nobody was told, and the page does not say so
    done = post(staff, f"/staff/events/{nobody}/cancel", f"/staff/events/{nobody}", reason="场地临时维修")
    page = text(staff.get(done.headers["Location"]))
    assert "活动已取消。" in page and "已短信通知" not in page


def _registration(db, phone: str, business: str, status: str) -> None:
    """A 返乡创业登记 of 镇平县 owned by the account with this phone, in the given status."""
    from portal.catalog.models import County, Unit
    from portal.registry.models import Registration

    db.session.add(
        Registration(
            owner_id=get(db, phone).id, business_name=business, form="individual", registered_on=date(2025, 3, 1),
            county_id=db.session.scalar(sa.select(County.id).where(County.code == "411324")), township="石佛寺镇",
            industry="handicraft", returned_from="province_out", returned_on=date(2025, 1, 1),
            unit_id=db.session.scalar(sa.select(Unit.id).where(Unit.code == "411324-hrss")), status=status,
        )
    )  # fmt: skip
    db.session.commit()


def test_registered_entrepreneurs_only_means_a_confirmed_registry_record(app, db, people):
    event_id = published(app, db, capacity=5, audience="registered")
    _registration(db, A1, "玉雕工作室", "confirmed")
    a1 = client_for(app, A1)
    post(a1, f"/events/{event_id}/register", f"/events/{event_id}")
    assert "您已报名" in text(a1.get(f"/events/{event_id}"))
    _registration(db, A2, "香菇大棚", "submitted")
    a2, a3 = client_for(app, A2), client_for(app, A3)
    said = text(a2.get(post(a2, f"/events/{event_id}/register", f"/events/{event_id}").headers["Location"]))
    assert "您的登记还在等县区人社局确认，确认后即可报名。" in said  # not "please register first": they did
    said = text(a3.get(post(a3, f"/events/{event_id}/register", f"/events/{event_id}").headers["Location"]))
    assert "请先在“返乡创业登记”登记您的经营主体" in said


def test_an_invited_only_event_takes_invitations_by_phone_and_from_requests(app, db, people):
    event_id = published(app, db, capacity=5, audience="invited")
    page, manage = f"/events/{event_id}", f"/staff/events/{event_id}"
    staff = client_for(app, ZP)
    post(staff, f"{manage}/invite", manage, phone="１３６１１１１００１１")  # full-width digits, as typed on a phone
    unknown = post(staff, f"{manage}/invite", manage, phone="13999999999")
    assert "还没有注册创业者账号" in text(staff.get(unknown.headers["Location"]))
    a1 = client_for(app, A1)
    post(a1, f"{page}/register", page)
    assert "您已报名" in text(a1.get(page))
    a2 = client_for(app, A2)
    assert "申请邀请" in text(a2.get(page))
    post(a2, f"{page}/ask", page, project="镇平玉雕电商")
    assert "请等主办单位答复" in text(a2.get(page))
    listing = text(staff.get(manage))
    assert "镇平玉雕电商" in listing and "同意邀请" in listing
    invitation_id = db.session.execute(
        sa.text("select id from event_invitation where project = '镇平玉雕电商'")
    ).scalar()
    post(staff, f"{manage}/invite", manage, invitation=str(invitation_id))
    assert any("受邀参加" in body for body in sms_to(db, A2))
    post(a2, f"{page}/register", page)
    assert "您已报名" in text(a2.get(page))


# ---------------------------------------------------------------- at the door and afterwards


def test_check_in_at_the_door_then_outcomes_are_public(app, db, people):
    event_id = published(app, db, capacity=5)
    for phone in (A1, A2, A3):
        post(client_for(app, phone), f"/events/{event_id}/register", f"/events/{event_id}")
    staff = client_for(app, ZP)
    door = f"/staff/events/{event_id}/door"
    first = db.session.scalar(sa.select(EventRegistration.id).where(EventRegistration.event_id == event_id))
    early = post(staff, f"{door}/{first}", door)
    assert "活动当天才能签到" in text(staff.get(early.headers["Location"]))
    started(db, event_id)
    listing = text(staff.get(door))
    assert "已签到 0 / 3 人" in listing and "报名甲" in listing and "报名丙" in listing
    found = text(staff.get(f"{door}?q=0012"))  # the last digits of 报名乙's phone
    assert "报名乙" in found and "报名甲" not in found
    registration = db.session.scalar(sa.select(EventRegistration).where(EventRegistration.user_id == get(db, A2).id))
    by_code = text(staff.get(f"{door}?q={registration.code.lower()}"))
    assert "报名乙" in by_code and "报名丙" not in by_code
    response = post(staff, f"{door}/{registration.id}", door, q="0012")
    assert response.status_code == 302 and "q=0012" in response.headers["Location"]
    assert "报名乙 已签到" in text(staff.get(response.headers["Location"]))
    post(staff, f"{door}/{registration.id}", door)  # a second tap (another phone) counts once
    assert "已签到 1 / 3 人" in text(staff.get(door))
    manage = f"/staff/events/{event_id}"
    refused = post(
        staff, f"{manage}/outcomes", manage, deals="２", amount_wan="abc", summary="很成功的一次对接会，现场气氛热烈。"
    )
    assert "金额请用数字填写" in text(staff.get(refused.headers["Location"]))
    post(
        staff,
        f"{manage}/outcomes",
        manage,
        deals="２",
        amount_wan="350.5",
        summary="三个项目与两家投资机构签订合作意向。",
    )
    event = db.session.get(Event, event_id)
    assert (event.status, event.attendance, event.deals, str(event.amount_wan)) == ("finished", 1, 2, "350.50")
    public = text(app.test_client().get(f"/events/{event_id}"))
    assert "活动成果" in public and "三个项目与两家投资机构签订合作意向" in public and "350.5万元" in public
    past = text(app.test_client().get("/events/?when=past"))
    assert "镇平玉雕项目投资对接会" in past and "签到 1 人" in past
    # the door closes with the outcomes; the outcomes may still be corrected
    assert client_for(app, XX).get(door).status_code == 404
    post(staff, f"{manage}/outcomes", manage, deals="3", amount_wan="", summary="三个项目与三家投资机构签订合作意向。")
    assert db.session.get(Event, event_id).deals == 3


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "changes, field_message",
    [
        ({"start_day": "2020-01-01"}, "活动开始时间已经过去了"),
        ({"start_time": "14:00", "end_time": "10:00"}, "结束时间要晚于开始时间"),
        ({"capacity": "0"}, "可报名人数至少为 1"),
        ({"capacity": "999999"}, "可报名人数最多 5000 人"),
        ({"capacity": "²"}, "请用数字填写可报名人数"),
        (
            {"deadline_day": (DAY + timedelta(days=1)).isoformat(), "deadline_time": "08:00"},
            "报名截止时间不能晚于活动开始时间",
        ),
        ({"start_day": "2026-02-30"}, "请按 年-月-日 填写开始日期"),
        ({"place_kind": "online", "online_url": "javascript:alert(1)"}, "请填写以 https:// 或 http:// 开头的参会链接"),
        ({"place_kind": "catalog", "place": "base:no-such-base"}, "请从列表里选择一项"),
        ({"title": "玉"}, "请填写活动名称（至少 4 个字）"),
        ({"start_day": (DAY + timedelta(days=400)).isoformat()}, "最多只能发布一年以内的活动"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_the_other_answers(app, db, people, changes, field_message):
    staff = client_for(app, ZP)
    response = staff.post("/staff/events/new", data=form_data(csrf_token(staff, "/staff/events/new"), **changes))
    assert response.status_code == 400
    page = text(response)
    assert field_message in page
    assert "镇平县玉都大道 1 号会议室" in page or "address" in changes  # other answers kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_full_width_digits_are_read_and_a_nul_byte_is_refused(app, db, people):
    staff = client_for(app, ZP)
    token = csrf_token(staff, "/staff/events/new")
    response = staff.post("/staff/events/new", data=form_data(token, capacity="３０", start_time="０９：３０"))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.capacity == 30
    nul = staff.post("/staff/events/new", data=form_data(token, title="对接\x00会"))
    assert nul.status_code == 400 and "控制字符" in text(nul)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 1


def test_a_multi_day_showcase_month_and_an_online_salon(app, db, people):
    staff = client_for(app, ZP)
    token = csrf_token(staff, "/staff/events/new")
    month = staff.post("/staff/events/new", data=form_data(
        token, kind="showcase", title="返乡创业成果展示月", end_day=(DAY + timedelta(days=20)).isoformat(),
        end_time="17:00"))  # fmt: skip
    assert month.status_code == 302
    too_long = staff.post("/staff/events/new", data=form_data(
        token, kind="showcase", end_day=(DAY + timedelta(days=40)).isoformat(), end_time="17:00"))  # fmt: skip
    assert "一次活动最长 31 天" in text(too_long)
    online = staff.post("/staff/events/new", data=form_data(
        token, kind="salon", place_kind="online", online_url="https://meeting.example.cn/abc", address=""))  # fmt: skip
    assert online.status_code == 302


# ---------------------------------------------------------------- the calendar, its filters and feed


def test_calendar_filters_by_county_kind_and_month(app, db, people):
    published(app, db, title="镇平投资对接会")
    published(app, db, phone=XX, title="西峡电商培训班", kind="training", county="411323",
              address="西峡县人社局三楼")  # fmt: skip
    client = app.test_client()
    both = text(client.get("/events/"))
    assert "镇平投资对接会" in both and "西峡电商培训班" in both
    county = text(client.get("/events/?county=411323"))
    assert "西峡电商培训班" in county and "镇平投资对接会" not in county
    kind = text(client.get("/events/?kind=training"))
    assert "西峡电商培训班" in kind and "镇平投资对接会" not in kind
    month = text(client.get(f"/events/?month={DAY:%Y-%m}"))
    assert "镇平投资对接会" in month and "上个月" in month
    other = DAY.replace(day=1) + timedelta(days=62)
    assert "镇平投资对接会" not in text(client.get(f"/events/?month={other:%Y-%m}"))
    odd = text(client.get("/events/?county=火星&kind=zzz&month=9999-99"))
    assert "没有找到“火星”这个县区" in odd and "没有“zzz”这类活动" in odd and "没有“9999-99”这个月份" in odd
    assert "镇平投资对接会" in odd


def test_the_ical_feed_parses_and_carries_times_in_utc(app, db, people):
    from icalendar import Calendar

    event_id = published(app, db, title="镇平投资对接会")
    response = app.test_client().get("/events/feed.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    entries = [c for c in cal.walk("VEVENT") if str(c["uid"]) == f"event-{event_id}@nanyang-returnee-portal"]
    assert len(entries) == 1
    assert entries[0].decoded("dtstart") == datetime.combine(DAY, time(9), tzinfo=BEIJING).astimezone(UTC)
    assert "镇平投资对接会" in str(entries[0]["summary"])
    single = Calendar.from_ical(app.test_client().get(f"/events/{event_id}.ics").data)
    assert len(list(single.walk("VEVENT"))) == 1
    assert not list(Calendar.from_ical(app.test_client().get("/events/feed.ics?kind=training").data).walk("VEVENT"))


# ---------------------------------------------------------------- access


def test_only_the_organiser_unit_manages_and_checks_in(app, db, people):
    event_id = published(app, db)
    pages = [f"/staff/events/{event_id}", f"/staff/events/{event_id}/door"]
    for phone in (XX, OFFICE, A1):
        client = client_for(app, phone)
        assert [client.get(p).status_code for p in pages] == [404, 404], phone
    anonymous = app.test_client()
    assert all(anonymous.get(p).status_code == 302 for p in pages)  # to the login page
    xx = client_for(app, XX)
    token = csrf_token(xx, "/staff/events")
    for action in ("publish", "cancel", "outcomes", "invite"):
        assert xx.post(f"/staff/events/{event_id}/{action}", data={"csrf_token": token}).status_code == 404
    assert client_for(app, A1).get("/staff/events").status_code == 404
    assert client_for(app, A1).get("/staff/events/new").status_code == 404
    staff = client_for(app, ZP)
    assert staff.get(f"/staff/events/{event_id}").status_code == 200
    assert staff.post(f"/staff/events/{event_id}/publish").status_code == 400  # no CSRF token
    assert client_for(app, ZP).get("/my/events").status_code == 404
    assert app.test_client().get("/events/999999").status_code == 404


def test_staff_cannot_register_and_the_page_says_so(app, db, people):
    event_id = published(app, db)
    staff = client_for(app, XX)
    assert "请用创业者账号报名" in text(staff.get(f"/events/{event_id}"))
    response = post(staff, f"/events/{event_id}/register", f"/events/{event_id}")
    assert "请用创业者账号报名" in text(staff.get(response.headers["Location"]))


# ---------------------------------------------------------------- the dashboard, reminders, demo, English


def test_training_attendance_reaches_the_dashboard_counter(app, db, people, runner):
    from portal.dashboard.indicators import count_training

    event_id = published(app, db, kind="training", title="电商直播创业培训班", capacity=5)
    for phone in (A1, A2):
        post(client_for(app, phone), f"/events/{event_id}/register", f"/events/{event_id}")
    started(db, event_id)
    staff = client_for(app, ZP)
    door = f"/staff/events/{event_id}/door"
    regs = db.session.scalars(sa.select(EventRegistration).where(EventRegistration.event_id == event_id)).all()
    for registration in regs:
        post(staff, f"{door}/{registration.id}", door)
    post(staff, f"{door}/{regs[1].id}", door, undo="1")  # a mistaken tap taken back
    kept = db.session.scalar(sa.select(sa.func.sum(Tally.n)).where(Tally.measure == "event_training"))
    assert kept == 1
    year = local_now().year
    assert sum(value for _c, _m, value in count_training(year)) >= 1
    result = runner.invoke(args=["counts", "check"])
    assert result.exit_code == 0, result.output
    assert "event_training: ok" in result.output
    # a matchmaking event's check-ins are not training
    other = published(app, db, capacity=5)
    post(client_for(app, A3), f"/events/{other}/register", f"/events/{other}")
    started(db, other)
    reg = db.session.scalar(sa.select(EventRegistration).where(EventRegistration.event_id == other))
    post(staff, f"/staff/events/{other}/door/{reg.id}", f"/staff/events/{other}/door")
    assert db.session.scalar(sa.select(sa.func.sum(Tally.n)).where(Tally.measure == "event_training")) == 1
    assert runner.invoke(args=["counts", "check", "--measure", "event_training"]).exit_code == 0


def test_the_reminder_goes_the_day_before_once(app, db, people, runner):
    tomorrow = local_now().date() + timedelta(days=1)
    event_id = published(app, db, start_day=tomorrow, start_time=time(15), end_time=time(17), capacity=5)
    later = published(app, db, title="下周的路演活动", kind="roadshow", capacity=5)
    for eid in (event_id, later):
        post(client_for(app, A1), f"/events/{eid}/register", f"/events/{eid}")
    before = len(sms_to(db, A1))
    assert "reminded 1 registrations" in runner.invoke(args=["events", "remind"]).output
    reminders = [b for b in sms_to(db, A1) if "提醒" in b]
    assert len(sms_to(db, A1)) == before + 1 and len(reminders) == 1 and "明天" in reminders[0]
    assert "镇平县玉都大道" in reminders[0]
    assert "reminded 0 registrations" in runner.invoke(args=["events", "remind"]).output


def test_demo_events_are_marked_sample_and_made_once(app, db, runner):
    assert "sample events added: 4" in runner.invoke(args=["events", "demo"]).output
    assert "already there" in runner.invoke(args=["events", "demo"]).output
    page = text(app.test_client().get("/events/"))
    assert page.count('class="badge-sample"') == 3
    past = text(app.test_client().get("/events/?when=past"))
    assert "农特产品销售对接会" in past and "签约或意向 12 个" in past


def test_english_pages(app, db, people):
    event_id = published(app, db, kind="training")
    client = app.test_client()
    client.set_cookie("lang", "en")
    listing = text(client.get("/events/"))
    assert "Events" in listing and "Entrepreneurship training class" in listing
    assert "Registration closes" in text(client.get(f"/events/{event_id}"))
    staff = client_for(app, ZP, lang="en")
    assert "Publish a new event" in text(staff.get("/staff/events/new"))


# ---------------------------------------------------------------- concurrency (both databases)


@pytest.mark.committing
def test_the_last_seat_goes_to_exactly_one_person(isolated_app):
    from portal.extensions import db

    app = isolated_app
    with app.test_request_context():
        make_user(db, role="staff", phone="13611119001", unit_code="411325-hrss")
        for phone in ("13611119002", "13611119003"):
            make_user(db, phone=phone)
        event = events.create(get(db, "13611119001"), event_input(county="411325", capacity=1))
        events.publish(get(db, "13611119001"), event.id)
        db.session.commit()
        event_id = event.id
        db.session.remove()
    phones = ["13611119002", "13611119003"]
    results = race(app, lambda i: events.register(get(db, phones[i]), event_id).status)
    assert sorted(results) == ["registered", "waiting"]
    # two phones at the door checking the same person in at once count them once
    with app.app_context():
        from portal.db import writing

        with writing():
            started(db, event_id)
            registration_id = db.session.scalar(
                sa.select(EventRegistration.id).where(EventRegistration.status == "registered")
            )
            db.session.remove()
    race(app, lambda i: str(events.check_in(get(db, "13611119001"), event_id, registration_id).checked_in_at))
    with app.app_context():
        audits = db.session.execute(sa.text("select count(*) from audit_log where action = 'event.checkin'")).scalar()
        assert audits == 1


def test_a_needs_survey_can_go_to_the_people_checked_in_at_an_event(app, db, people):
    from tests.test_surveys import add_question, create_survey
    from tests.test_surveys import post as survey_post

    event_id = published(app, db, capacity=5)
    for phone in (A1, A2):
        post(client_for(app, phone), f"/events/{event_id}/register", f"/events/{event_id}")
    started(db, event_id)
    staff = client_for(app, ZP)
    door = f"/staff/events/{event_id}/door"
    came = db.session.scalar(sa.select(EventRegistration.id).where(EventRegistration.user_id == get(db, A2).id))
    post(staff, f"{door}/{came}", door)

    office = client_for(app, OFFICE)
    assert f'value="event:{event_id}"' in text(office.get("/staff/surveys/new"))
    survey_id = create_survey(office, audience=f"event:{event_id}", title="对接会之后的需求调查")
    add_question(office, survey_id, kind="single", text="还想参加吗？", options="想\n不想")
    survey_post(office, f"/staff/surveys/{survey_id}/open", f"/staff/surveys/{survey_id}")
    assert "对接会之后的需求调查" in text(client_for(app, A2).get("/surveys/"))
    assert client_for(app, A2).get(f"/surveys/{survey_id}").status_code == 200
    assert client_for(app, A1).get(f"/surveys/{survey_id}").status_code == 404  # registered, never came


def test_an_event_at_a_park_unpublished_since_can_still_be_edited(app, db, people):
    from portal.catalog.models import Park

    park = db.session.scalar(sa.select(Park).order_by(Park.slug))
    slug, name = park.slug, park.name
    event_id = published(app, db, place_kind="catalog", place=f"park:{slug}")
    db.session.execute(sa.update(Park).where(Park.slug == slug).values(visible=False))
    db.session.commit()
    staff = client_for(app, ZP)
    page = f"/staff/events/{event_id}"
    assert f'value="park:{slug}"' in text(staff.get(page))  # still its place, shown selected
    new = text(staff.get("/staff/events/new"))
    assert f'value="park:{slug}"' not in new  # but not offered for a new event
    changed = form_data(csrf_token(staff, page), place_kind="catalog", place=f"park:{slug}", capacity="5")
    assert staff.post(page, data=changed).status_code == 302
    assert name in text(app.test_client().get(f"/events/{event_id}"))


def test_a_published_event_is_found_by_search_and_leaves_it_when_cancelled(app, db, people, tmp_path, monkeypatch):
    """Events are a search kind: a draft is not found, a published one is (title, kind, county, the day in Beijing
    time), a cancelled one leaves the index at once (its lifecycle's signal writes the index event)."""
    import time as clock

    monkeypatch.setitem(app.config, "PORTAL_DATA_DIR", str(tmp_path))  # this test's own search index
    anonymous = app.test_client()

    def found() -> list[dict]:
        clock.sleep(0.6)  # a server applies new index events at most every half second
        data = anonymous.get("/api/v1/search", query_string={"q": "玉雕 投资对接会"}).get_json()
        return [item for item in data["items"] if item["type"] == "event"]

    with app.test_request_context():
        draft = events.create(get(db, ZP), event_input(title="镇平玉雕项目投资对接会（草稿）"))
        db.session.commit()
        draft_id = draft.id
    assert found() == []  # a draft is not public
    event_id = published(app, db)
    hits = found()
    assert [h["url"] for h in hits] == [f"/events/{event_id}"] and hits[0]["title"] == "镇平玉雕项目投资对接会"
    page = text(anonymous.get("/search", query_string={"q": "玉雕 投资对接会"}))
    with app.test_request_context():
        from flask_babel import format_date

        day = format_date(DAY, "long")
    assert f'href="/events/{event_id}"' in page and f'href="/events/{draft_id}"' not in page
    assert f"{day} · 镇平县 · 投资对接会" in page  # the day, the county and the kind under the title
    online = published(app, db, title="玉雕直播带货线上沙龙", kind="salon", place_kind="online",
                       online_url="https://meeting.example.cn/abc", address="")  # fmt: skip
    clock.sleep(0.6)  # a server applies new index events at most every half second
    page = text(anonymous.get("/search", query_string={"q": "玉雕 线上沙龙"}))
    assert f'href="/events/{online}"' in page and f"{day} · 镇平县 · 线上活动 · 返乡创业沙龙" in page
    staff = client_for(app, ZP)
    post(staff, f"/staff/events/{event_id}/cancel", f"/staff/events/{event_id}", reason="场地临时维修")
    assert f"/events/{event_id}" not in [h["url"] for h in found()]


def test_an_online_events_ticket_does_not_ask_people_to_show_it_at_the_door(app, db, people):
    event_id = published(app, db, kind="salon", place_kind="online", online_url="https://meeting.example.cn/abc",
                         address="")  # fmt: skip
    a1 = client_for(app, A1)
    post(a1, f"/events/{event_id}/register", f"/events/{event_id}")
    page = text(a1.get(f"/events/{event_id}"))
    assert "您已报名" in page and "到场时出示这个二维码" not in page
    onsite = published(app, db)
    post(a1, f"/events/{onsite}/register", f"/events/{onsite}")
    assert "到场时出示这个二维码" in text(a1.get(f"/events/{onsite}"))
