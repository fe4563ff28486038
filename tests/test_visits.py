"""创业导师乡村行: booking without clashes, confirmation, sign-ups with a waiting list, records, offers, feed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.applications.models import Application
from portal.catalog.models import Mentor, Park
from portal.errors import InvalidTransition
from portal.extensions import limiter
from portal.notify.models import OutboxMessage
from portal.visits import operations as visits
from portal.visits.models import Visit, VisitSignup
from portal.visits.queries import mentoring_person_times
from tests.helpers import csrf_token, login, make_user, race, submit_application, text

DAY = date.today() + timedelta(days=10)


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()


def mentor_slugs(db, n=2) -> list[str]:
    return list(db.session.scalars(sa.select(Mentor.slug).where(Mentor.accepts_visits).order_by(Mentor.slug).limit(n)))


@pytest.fixture
def people(db):
    slugs = mentor_slugs(db)
    return {
        "mentor": make_user(db, role="mentor", phone="13311110001", name="导师甲", mentor_slug=slugs[0]),
        "mentor2": make_user(db, role="mentor", phone="13311110002", name="导师乙", mentor_slug=slugs[1]),
        "zp": make_user(db, role="staff", phone="13311110003", name="镇平人社", unit_code="411324-hrss"),
        "xx": make_user(db, role="staff", phone="13311110004", name="西峡人社", unit_code="411323-hrss"),
        "a1": make_user(db, phone="13311110005", name="报名甲"),
        "a2": make_user(db, phone="13311110006", name="报名乙"),
        "a3": make_user(db, phone="13311110007", name="报名丙"),
    }


def get(db, phone) -> User:
    return db.session.scalar(sa.select(User).where(User.phone == phone))


def township(start="09:00", end="11:00", county="411324", place="石佛寺镇", day=DAY, capacity=2, **kw):
    return visits.VisitInput(
        dest_kind="township",
        county=county,
        township=place,
        day=day,
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
        topics=kw.pop("topics", ["ecommerce"]),
        capacity=capacity,
        **kw,
    )


def sms_to(db, phone: str) -> list[str]:
    # recipients are stored encrypted, so they are compared after reading
    return [m.body for m in db.session.scalars(sa.select(OutboxMessage)) if m.recipient == phone]


def booked_id(app, db, **kw) -> int:
    """Book (and confirm) inside a request context of its own; returns the id (the session ends with it)."""
    with app.test_request_context():
        return booked(db, **kw).id


def booked(db, phone="13311110001", confirm=True, **kw) -> Visit:
    visit = visits.book(get(db, phone), township(**kw))
    if confirm:
        staff = get(db, "13311110003") if visit.confirm_unit.code == "411324-hrss" else get(db, "13311110004")
        visits.decide(staff, visit.id, True)
    db.session.commit()
    return visit


# ---------------------------------------------------------------- booking and confirmation


def test_mentor_books_staff_confirm_then_it_is_public(app, db, people):
    mentor = app.test_client()
    login(mentor, "13311110001", "good-pass-2026")
    token = csrf_token(mentor, "/mentor/visits")
    response = mentor.post(
        "/mentor/visits",
        data={
            "csrf_token": token,
            "dest_kind": "township",
            "county": "411324",
            "township": "石佛寺镇",
            "day": DAY.isoformat(),
            "start": "09:00",
            "end": "11:30",
            "topics": ["ecommerce", "marketing"],
            "capacity": "20",
            "note": "带上营业执照",
        },
    )
    assert response.status_code == 302, text(response)[-3000:]
    visit = db.session.scalar(sa.select(Visit).order_by(Visit.id.desc()).limit(1))
    assert visit.status == "pending" and visit.confirm_unit.code == "411324-hrss"
    public = app.test_client()
    assert "石佛寺镇" not in text(public.get("/visits/"))
    assert public.get(f"/visits/{visit.id}").status_code == 404
    other = app.test_client()
    login(other, "13311110004", "good-pass-2026")
    token = csrf_token(other, "/staff/visits")
    assert (
        other.post(f"/staff/visits/{visit.id}/decide", data={"csrf_token": token, "decision": "confirm"}).status_code
        == 404
    )
    staff = app.test_client()
    login(staff, "13311110003", "good-pass-2026")
    assert "石佛寺镇" in text(staff.get("/staff/visits"))
    token = csrf_token(staff, "/staff/visits")
    staff.post(f"/staff/visits/{visit.id}/decide", data={"csrf_token": token, "decision": "confirm"})
    html = text(public.get("/visits/"))
    assert "镇平县石佛寺镇" in html and "还剩 20 个名额" in html
    month = text(public.get(f"/visits/?view=month&month={DAY.strftime('%Y-%m')}"))
    assert "石佛寺镇" in month
    assert "导师甲" in text(public.get(f"/visits/{visit.id}")) or db.session.get(Visit, visit.id).mentor.name in text(
        public.get(f"/visits/{visit.id}")
    )


def test_overlapping_visits_of_one_mentor_are_refused_by_name(ctx, db, people):
    booked(db, start="09:00", end="11:00")
    with pytest.raises(visits.VisitErrors) as caught:
        visits.book(get(db, "13311110001"), township(start="10:30", end="12:00", place="晁陂镇"))
    assert "时间重叠" in caught.value.errors["start"] and "石佛寺镇" in caught.value.errors["start"]


def test_travel_time_between_counties(ctx, db, people):
    booked(db, start="09:00", end="11:00")
    with pytest.raises(visits.VisitErrors) as caught:
        visits.book(get(db, "13311110001"), township(start="12:00", end="13:00", county="411323", place="丹水镇"))
    assert "路上时间" in caught.value.errors["start"]
    visit = visits.book(get(db, "13311110001"), township(start="13:00", end="15:00", county="411323", place="丹水镇"))
    assert visit.confirm_unit.code == "411323-hrss"


def test_a_place_caps_visits_per_day(ctx, db, people):
    booked(db, start="08:00", end="09:00")
    booked(db, phone="13311110002", start="10:00", end="11:00")
    third = make_user(db, role="mentor", phone="13311110009", mentor_slug=mentor_slugs(db, 3)[2])
    with pytest.raises(visits.VisitErrors) as caught:
        visits.book(third, township(start="14:00", end="15:00"))
    assert "当天已经安排了 2 场走访" in caught.value.errors["day"]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"day": date.today() - timedelta(days=1)}, "day", "已经过去"),
        ({"start": "11:00", "end": "10:00"}, "end", "结束时间要晚于开始时间"),
        ({"start": "06:00", "end": "20:00"}, "end", "不能跨天"),
        ({"capacity": 0}, "capacity", "至少为 1"),
        ({"capacity": 5000}, "capacity", "最多 200 人"),
        ({"topics": []}, "topics", "至少选择一个"),
        ({"place": "石佛寺"}, "township", "乡镇或街道"),
    ],
)
def test_bad_bookings_get_specific_messages(ctx, db, people, changes, field, message):
    with pytest.raises(visits.VisitErrors) as caught:
        visits.book(get(db, "13311110001"), township(**changes))
    assert message in caught.value.errors[field]


def test_unknown_places_are_refused(ctx, db, people):
    data = visits.VisitInput(
        dest_kind="park", place_slug="no-such-park", day=DAY, start=time(9), end=time(10), topics=["tax"], capacity=5
    )
    with pytest.raises(visits.VisitErrors) as caught:
        visits.book(get(db, "13311110001"), data)
    assert "没有找到这个园区" in caught.value.errors["place_slug"]
    park = db.session.scalar(sa.select(Park).order_by(Park.slug).limit(1))
    data.place_slug = park.slug
    assert visits.book(get(db, "13311110001"), data).county_id == park.county_id


def test_the_booking_page_shows_messages_next_to_fields(app, db, people):
    mentor = app.test_client()
    login(mentor, "13311110001", "good-pass-2026")
    token = csrf_token(mentor, "/mentor/visits")
    response = mentor.post(
        "/mentor/visits",
        data={
            "csrf_token": token,
            "dest_kind": "township",
            "county": "411324",
            "township": "石佛寺镇",
            "day": "not-a-date",
            "start": "09:00",
            "end": "08:00",
            "capacity": "0",
            "topics": ["tax"],
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert "请选择日期" in html and "可报名人数至少为 1" in html and 'value="石佛寺镇"' in html


# ---------------------------------------------------------------- sign-ups


def test_full_visits_have_a_waiting_list_that_moves_up(ctx, db, people):
    visit = booked(db, capacity=2)
    first = visits.sign_up(get(db, "13311110005"), visit.id)
    second = visits.sign_up(get(db, "13311110006"), visit.id)
    third = visits.sign_up(get(db, "13311110007"), visit.id)
    assert [first.status, second.status, third.status] == ["confirmed", "confirmed", "waiting"]
    visits.cancel_signup(get(db, "13311110005"), visit.id)
    db.session.flush()
    assert db.session.get(VisitSignup, third.id).status == "confirmed"
    assert any("候补转为正式" in m for m in sms_to(db, "13311110007"))


def test_a_larger_capacity_promotes_the_waiting_list_and_says_why(ctx, db, people):
    visit = booked(db, capacity=1)
    visits.sign_up(get(db, "13311110005"), visit.id)
    waiting = visits.sign_up(get(db, "13311110006"), visit.id)
    assert waiting.status == "waiting"
    visits.move(get(db, "13311110001"), visit.id, township(capacity=2))
    db.session.flush()
    assert db.session.get(VisitSignup, waiting.id).status == "confirmed"
    promoted = [b for b in sms_to(db, "13311110006") if "候补转为正式" in b]
    assert len(promoted) == 1
    assert "名额增加" in promoted[0] and "有人退出" not in promoted[0]
    assert not [b for b in sms_to(db, "13311110005") if "候补" in b], "the one already seated is not told"


def test_signing_up_on_the_page(app, db, people):
    visit_id = booked_id(app, db, capacity=1)
    person = app.test_client()
    assert "登录后报名" in text(person.get(f"/visits/{visit_id}"))
    login(person, "13311110005", "good-pass-2026")
    token = csrf_token(person, f"/visits/{visit_id}")
    html = text(person.post(f"/visits/{visit_id}/signup", data={"csrf_token": token}, follow_redirects=True))
    assert "您已报名" in html
    other = app.test_client()
    login(other, "13311110006", "good-pass-2026")
    token = csrf_token(other, f"/visits/{visit_id}")
    html = text(other.post(f"/visits/{visit_id}/signup", data={"csrf_token": token}, follow_redirects=True))
    assert "候补" in html


def test_cancelling_or_moving_a_visit_tells_everyone_signed_up(ctx, db, people):
    visit = booked(db)
    visits.sign_up(get(db, "13311110005"), visit.id)
    visits.move(get(db, "13311110001"), visit.id, township(start="14:00", end="16:00"))
    visits.cancel(get(db, "13311110001"), visit.id, "导师临时有事")
    bodies = sms_to(db, "13311110005")
    assert any("改到" in b for b in bodies) and any("已取消" in b for b in bodies)
    assert all(len(b) <= 70 for b in bodies)


# ---------------------------------------------------------------- after the visit


def test_record_counts_person_times_and_attendees_rate(ctx, db, people, monkeypatch):
    visit = booked(db, capacity=3)
    visits.sign_up(get(db, "13311110005"), visit.id)
    visits.sign_up(get(db, "13311110006"), visit.id)
    before = mentoring_person_times()
    with pytest.raises(InvalidTransition):
        visits.file_record(get(db, "13311110001"), visit.id, [], 0, "讲了直播带货", "")
    monkeypatch.setattr(visits, "local_now", lambda: datetime.combine(DAY, time(18)))
    a1 = get(db, "13311110005")
    record = visits.file_record(get(db, "13311110001"), visit.id, [a1.id], 4, "讲了直播带货和网店开户", "下周回访")
    assert record.attendees == 5
    assert mentoring_person_times() == before + 5
    visits.rate(a1, visit.id, 5, "很实用")
    with pytest.raises(InvalidTransition):
        visits.rate(get(db, "13311110006"), visit.id, 4, "")  # signed up but did not come


# ---------------------------------------------------------------- feed and offers


def test_private_icalendar_feed(app, db, people):
    visit_id = booked_id(app, db)
    mentor = app.test_client()
    login(mentor, "13311110001", "good-pass-2026")
    html = text(mentor.get("/mentor/visits"))
    feed_url = next(part for part in html.split("<code>")[1:]).split("</code>")[0]
    response = app.test_client().get(feed_url.replace("http://localhost", ""))
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in body and f"visit-{visit_id}@" in body and "STATUS:CONFIRMED" in body
    assert app.test_client().get("/mentor/calendar/not-a-token.ics").status_code == 404


def test_mentoring_application_answered_with_a_seat(app, db, people):
    visit_id = booked_id(app, db, capacity=5)
    applicant = get(db, "13311110005")
    application_id = submit_application(app, db, applicant, "mentoring", county="411324", topic="finance")
    from portal.queues.models import QueueItem

    item = db.session.scalar(
        sa.select(QueueItem).where(QueueItem.application_id == application_id, QueueItem.role == "lead")
    )
    staff = app.test_client()
    login(staff, "13311110003", "good-pass-2026")
    token = csrf_token(staff, f"/staff/items/{item.id}")
    staff.post(f"/staff/items/{item.id}/claim", data={"csrf_token": token})
    token = csrf_token(staff, f"/staff/items/{item.id}")
    staff.post(f"/staff/items/{item.id}/accept", data={"csrf_token": token})
    token = csrf_token(staff, f"/staff/items/{item.id}")
    staff.post(f"/staff/items/{item.id}/offer", data={"csrf_token": token, "visit": str(visit_id)})
    person = app.test_client()
    login(person, "13311110005", "good-pass-2026")
    number = db.session.get(Application, application_id).tracking_no
    html = text(person.get(f"/my/applications/{number}"))
    assert "为您安排的导师乡村行" in html
    from portal.visits.models import VisitOffer

    offer = db.session.scalar(sa.select(VisitOffer).where(VisitOffer.application_id == application_id))
    token = csrf_token(person, f"/my/applications/{number}")
    person.post(f"/my/applications/{number}/offers/{offer.id}", data={"csrf_token": token, "answer": "accept"})
    application = db.session.get(Application, application_id)
    assert application.state == "approved"
    assert (
        db.session.scalar(
            sa.select(VisitSignup).where(
                VisitSignup.visit_id == visit_id, VisitSignup.user_id == get(db, "13311110005").id
            )
        ).status
        == "confirmed"
    )
    assert "确认参加导师乡村行" in text(person.get(f"/my/applications/{number}"))


# ---------------------------------------------------------------- concurrency


@pytest.mark.committing
def test_last_seat_goes_to_exactly_one_person(isolated_app):
    from portal.extensions import db

    app = isolated_app
    with app.app_context():
        slug = mentor_slugs(db, 4)[3]
        make_user(db, role="mentor", phone="13311119001", mentor_slug=slug)
        make_user(db, role="staff", phone="13311119002", unit_code="411325-hrss")
        for phone in ("13311119003", "13311119004"):
            make_user(db, phone=phone)
        visit = visits.book(get(db, "13311119001"), township(county="411325", place="赤眉镇", capacity=1))
        visits.decide(get(db, "13311119002"), visit.id, True)
        db.session.commit()
        visit_id = visit.id
        db.session.remove()
    phones = ["13311119003", "13311119004"]
    results = race(app, lambda i: visits.sign_up(get(db, phones[i]), visit_id).status)
    assert sorted(results) == ["confirmed", "waiting"]


@pytest.mark.committing
def test_double_booking_at_once_only_one_succeeds(isolated_app):
    from portal.extensions import db

    app = isolated_app
    with app.app_context():
        slug = mentor_slugs(db, 5)[4]
        make_user(db, role="mentor", phone="13311119011", mentor_slug=slug)
        db.session.remove()
    places = ["马山口镇", "余关乡"]
    results = race(
        app,
        lambda i: (
            visits.book(
                get(db, "13311119011"), township(county="411325", place=places[i], start="09:00", end="11:00")
            ).status
        ),
    )
    assert sorted(results)[0] == "pending"
    assert results.count("pending") == 1
    assert any("时间重叠" in r for r in results)


def test_mentor_moves_and_cancels_on_the_page(app, db, people):
    visit_id = booked_id(app, db)
    mentor = app.test_client()
    login(mentor, "13311110001", "good-pass-2026")
    page = f"/mentor/visits/{visit_id}"
    token = csrf_token(mentor, page)
    moved = mentor.post(
        page,
        data={
            "csrf_token": token,
            "action": "move",
            "day": DAY.isoformat(),
            "start": "15:00",
            "end": "14:00",
            "capacity": "2",
        },
    )
    assert moved.status_code == 400 and "结束时间要晚于开始时间" in text(moved)
    mentor.post(
        page,
        data={
            "csrf_token": token,
            "action": "move",
            "day": DAY.isoformat(),
            "start": "14:00",
            "end": "16:00",
            "capacity": "2",
        },
    )
    assert db.session.get(Visit, visit_id).start_time == time(14, 0)
    mentor.post(page, data={"csrf_token": token, "action": "cancel", "reason": "临时有事"})
    assert db.session.get(Visit, visit_id).status == "cancelled"
    other = app.test_client()
    login(other, "13311110002", "good-pass-2026")
    assert other.get(page).status_code == 404, "another mentor's visit does not exist for them"


def _mentoring_item(app, db, topic="finance"):
    from portal.queues.models import QueueItem

    application_id = submit_application(app, db, get(db, "13311110005"), "mentoring", county="411324", topic=topic)
    item = db.session.scalar(
        sa.select(QueueItem).where(QueueItem.application_id == application_id, QueueItem.role == "lead")
    )
    staff = app.test_client()
    login(staff, "13311110003", "good-pass-2026")
    return application_id, item.id, staff


def _staff_act(staff, item_id, action, **data):
    token = csrf_token(staff, f"/staff/items/{item_id}")
    return text(
        staff.post(f"/staff/items/{item_id}/{action}", data={"csrf_token": token, **data}, follow_redirects=True)
    )


def test_a_seat_is_offered_only_where_the_application_may_be_decided(app, db, people):
    """Regression: offering a seat approved an application without 受理 and closed the co-reviewing unit's
    item with no opinion. Each refusal is named; nothing is offered until every condition holds."""
    from portal.visits.models import VisitOffer

    visit_id = booked_id(app, db, capacity=1)
    past_id = booked_id(app, db, capacity=5, start="14:00", end="16:00")
    db.session.execute(sa.update(Visit).where(Visit.id == past_id).values(day=date.today() - timedelta(days=1)))
    db.session.commit()
    application_id, item_id, staff = _mentoring_item(app, db, topic="ecommerce")  # co-reviewed by 政务大数据局

    def offer(visit):
        return _staff_act(staff, item_id, "offer", visit=str(visit))

    assert "请先认领" in offer(visit_id)
    _staff_act(staff, item_id, "claim")
    assert "提出会审意见" in offer(visit_id)  # the co-reviewing unit has not given its opinion
    from portal.queues.models import QueueItem

    co = db.session.scalar(
        sa.select(QueueItem).where(QueueItem.application_id == application_id, QueueItem.role == "co_review")
    )
    co_id, co_unit = co.id, co.unit.code
    data_staff = app.test_client()
    make_user(db, role="staff", phone="13311110009", name="大数据局", unit_code=co_unit)
    login(data_staff, "13311110009", "good-pass-2026")
    _staff_act(data_staff, co_id, "claim")
    _staff_act(data_staff, co_id, "opinion", opinion="agree", opinion_text="")
    assert "请先受理" in offer(visit_id)  # 受理 comes before any decision
    _staff_act(staff, item_id, "accept")
    assert "还没开始的走访" in offer(past_id)
    signer = app.test_client()
    login(signer, "13311110006", "good-pass-2026")
    signer.post(f"/visits/{visit_id}/signup", data={"csrf_token": csrf_token(signer, f"/visits/{visit_id}")})
    assert "已经满员" in offer(visit_id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisitOffer)) == 0
    assert db.session.get(Application, application_id).state == "accepted"
    assert db.session.get(QueueItem, co_id).opinion == "agree"


def test_an_accepted_seat_is_recorded_on_the_applications_timeline(app, db, people):
    visit_id = booked_id(app, db, capacity=3)
    application_id, item_id, staff = _mentoring_item(app, db)
    _staff_act(staff, item_id, "claim")
    _staff_act(staff, item_id, "accept")
    assert "已把乡村行安排发给申请人" in _staff_act(staff, item_id, "offer", visit=str(visit_id))
    number = db.session.get(Application, application_id).tracking_no
    person = app.test_client()
    login(person, "13311110005", "good-pass-2026")
    from portal.visits.models import VisitOffer

    offer = db.session.scalar(sa.select(VisitOffer).where(VisitOffer.application_id == application_id))
    token = csrf_token(person, f"/my/applications/{number}")
    person.post(f"/my/applications/{number}/offers/{offer.id}", data={"csrf_token": token, "answer": "accept"})
    html = text(person.get(f"/my/applications/{number}"))
    assert "已确认参加导师乡村行" in html and "安排导师乡村行" in html
    assert db.session.get(Application, application_id).state == "approved"
    again = person.post(f"/my/applications/{number}/offers/{offer.id}", data={"csrf_token": token, "answer": "no"})
    assert "已经答复过了" in text(person.get(again.headers["Location"]))


def _feed_events(app, db) -> dict[str, object]:
    from icalendar import Calendar

    mentor = app.test_client()
    login(mentor, "13311110001", "good-pass-2026")
    html = text(mentor.get("/mentor/visits"))
    feed_url = html.split("<code>")[1].split("</code>")[0].replace("http://localhost", "")
    calendar = Calendar.from_ical(app.test_client().get(feed_url).data)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_parses_with_utc_times_and_a_growing_sequence(app, db, people):
    visit_id = booked_id(app, db, start="09:00", end="11:00")
    with app.test_request_context():
        visits.ensure_calendar_token(get(db, "13311110001"))
        db.session.commit()
    uid = f"visit-{visit_id}@nanyang-returnee-portal"
    event = _feed_events(app, db)[uid]
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.utcoffset() == timedelta(0) and str(event["dtstart"].to_ical().decode()).endswith("Z")
    assert (start.hour, end.hour) == (1, 3)  # 09:00–11:00 in Nanyang (UTC+8)
    assert start.date() == DAY
    assert str(event["status"]) == "CONFIRMED"
    first = int(event["sequence"])
    with app.test_request_context():
        visits.move(get(db, "13311110001"), visit_id, township(start="14:00", end="16:00"))
        db.session.commit()
    moved = _feed_events(app, db)[uid]
    assert int(moved["sequence"]) > first and moved.decoded("dtstart").hour == 6
    with app.test_request_context():
        visits.cancel(get(db, "13311110001"), visit_id, "天气原因")
        db.session.commit()
    cancelled = _feed_events(app, db)[uid]
    assert str(cancelled["status"]) == "CANCELLED" and int(cancelled["sequence"]) > int(moved["sequence"])
