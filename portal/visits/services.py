"""创业导师乡村行 rules: booking without clashes, confirmation, sign-ups with a waiting list, records, offers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.applications import queries as applications
from portal.applications.states import transition
from portal.catalog import vocab
from portal.catalog.models import County, IncubationBase, Mentor, Park, Unit
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition, NotFound
from portal.extensions import db
from portal.notify import services as notify
from portal.routing.rules import unit_for
from portal.visits.models import Visit, VisitOffer, VisitPlaceDay, VisitRecord, VisitSignup

LOCAL = ZoneInfo("Asia/Shanghai")
ACTIVE = ("pending", "confirmed")
DEST_KINDS = ("township", "park", "base", "enterprise")
MAX_CAPACITY = 200
MAX_HOURS = 12


def local_now() -> datetime:
    return datetime.now(LOCAL).replace(tzinfo=None)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def describe(visit: Visit) -> str:
    return _(
        "%(day)s %(start)s–%(end)s 在%(place)s的走访",
        day=f"{visit.day.month}月{visit.day.day}日",
        start=visit.start_time.strftime("%H:%M"),
        end=visit.end_time.strftime("%H:%M"),
        place=visit.place_name,
    )


@dataclass
class VisitInput:
    dest_kind: str = ""
    county: str = ""
    township: str = ""
    place_slug: str = ""
    enterprise_name: str = ""
    address: str = ""
    day: date | None = None
    start: time | None = None
    end: time | None = None
    topics: list[str] = field(default_factory=list)
    capacity: int | None = None
    note: str = ""


class VisitErrors(InvalidInput):
    """Several field messages at once; `errors` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def mentor_of(user: User) -> Mentor:
    if user.role != "mentor" or user.mentor is None:
        raise NotFound()
    return user.mentor


def _resolve_place(data: VisitInput, errors: dict) -> tuple[County | None, dict]:
    place: dict = {
        "dest_kind": data.dest_kind,
        "township": None,
        "park_id": None,
        "base_id": None,
        "enterprise_name": None,
        "address": None,
    }
    county = None
    if data.dest_kind not in DEST_KINDS:
        errors["dest_kind"] = _("请选择去乡镇、园区（基地）还是企业。")
        return None, place
    if data.dest_kind in ("park", "base"):
        model = Park if data.dest_kind == "park" else IncubationBase
        found = db.session.scalar(sa.select(model).where(model.slug == data.place_slug)) if data.place_slug else None
        if found is None:
            errors["place_slug"] = _("没有找到这个园区或基地，请从名录里选择。")
            return None, place
        place[f"{data.dest_kind}_id"] = found.id
        place["address"] = found.address
        place["place_key"] = f"{data.dest_kind}:{found.slug}"
        return db.session.get(County, found.county_id), place
    county = db.session.scalar(sa.select(County).where(sa.or_(County.code == data.county, County.name == data.county)))
    if county is None:
        errors["county"] = _("请选择县区。")
        return None, place
    if data.dest_kind == "township":
        township = data.township.strip()
        if not 2 <= len(township) <= 30 or not township.endswith(("乡", "镇", "街道", "办事处")):
            errors["township"] = _("请填写乡镇或街道的名称，例如“石佛寺镇”。")
        place["township"] = township
        place["place_key"] = f"township:{county.code}:{township}"
    else:
        name, address = data.enterprise_name.strip(), data.address.strip()
        if len(name) < 2:
            errors["enterprise_name"] = _("请填写企业名称。")
        if len(address) < 4:
            errors["address"] = _("请填写企业地址，方便导师找到。")
        place.update(enterprise_name=name, address=address, place_key=f"enterprise:{county.code}:{name}")
    return county, place


def _check_times(data: VisitInput, errors: dict) -> None:
    if data.day is None:
        errors["day"] = _("请选择日期。")
    if data.start is None:
        errors["start"] = _("请填写开始时间。")
    if data.end is None:
        errors["end"] = _("请填写结束时间。")
    if errors.keys() & {"day", "start", "end"}:
        return
    if datetime.combine(data.day, data.start) <= local_now():
        errors["day"] = _("走访时间已经过去了，请选择以后的时间。")
    if data.end <= data.start:
        errors["end"] = _("结束时间要晚于开始时间。")
    elif _minutes(data.end) - _minutes(data.start) > MAX_HOURS * 60:
        errors["end"] = _("一次走访最长 %(n)s 小时，不能跨天。", n=MAX_HOURS)
    if data.day > local_now().date() + timedelta(days=366):
        errors["day"] = _("最多只能预约一年以内的走访。")


def _validate(data: VisitInput) -> tuple[County, dict]:
    errors: dict[str, str] = {}
    county, place = _resolve_place(data, errors)
    _check_times(data, errors)
    topics = [t for t in data.topics if t in vocab.EXPERTISE]
    if not topics:
        errors["topics"] = _("请至少选择一个辅导主题。")
    if data.capacity is None or data.capacity < 1:
        errors["capacity"] = _("可报名人数至少为 1。")
    elif data.capacity > MAX_CAPACITY:
        errors["capacity"] = _("可报名人数最多 %(n)s 人；人数更多请分场次预约。", n=MAX_CAPACITY)
    if errors:
        raise VisitErrors(errors)
    place["topics"] = topics
    return county, place


def _lock_mentor(mentor: Mentor) -> None:
    """Serialise bookings of one mentor: a row lock on PostgreSQL; SQLite writers already queue (BEGIN IMMEDIATE)."""
    db.session.execute(sa.select(Mentor.id).where(Mentor.id == mentor.id).with_for_update())


def _lock_place_day(place_key: str, day: date) -> None:
    exists = sa.select(VisitPlaceDay).where(VisitPlaceDay.place_key == place_key, VisitPlaceDay.day == day)
    if db.session.scalar(exists) is None:
        try:
            with db.session.begin_nested():
                db.session.add(VisitPlaceDay(place_key=place_key, day=day))
        except sa.exc.IntegrityError:
            pass
    db.session.execute(exists.with_for_update())


def _clashes(
    mentor: Mentor, county: County, place_key: str, day: date, start: time, end: time, exclude_id: int | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    gap = int(current_app.config.get("VISIT_TRAVEL_GAP_MINUTES", 120))
    same_day = db.session.scalars(
        sa.select(Visit).where(
            Visit.mentor_id == mentor.id, Visit.day == day, Visit.status.in_(ACTIVE), Visit.id != (exclude_id or 0)
        )
    ).all()
    s, e = _minutes(start), _minutes(end)
    for other in same_day:
        os_, oe = _minutes(other.start_time), _minutes(other.end_time)
        if s < oe and os_ < e:
            errors["start"] = _("与您已有的%(visit)s时间重叠。", visit=describe(other))
            break
        if other.county_id != county.id and (s < oe + gap and os_ < e + gap):
            errors["start"] = _(
                "与您已有的%(visit)s在不同县区，两次走访之间至少要留 %(h)s 小时路上时间。",
                visit=describe(other),
                h=format(gap / 60, "g"),
            )
            break
    cap = int(current_app.config.get("VISIT_PLACE_DAILY_CAP", 2))
    at_place = db.session.scalars(
        sa.select(Visit).where(
            Visit.place_key == place_key, Visit.day == day, Visit.status.in_(ACTIVE), Visit.id != (exclude_id or 0)
        )
    ).all()
    if len(at_place) >= cap:
        errors["day"] = _(
            "这个地点当天已经安排了 %(n)s 场走访（%(visits)s），请换一天。",
            n=len(at_place),
            visits="；".join(describe(v) for v in at_place),
        )
    return errors


def book(user: User, data: VisitInput) -> Visit:
    mentor = mentor_of(user)
    if not mentor.accepts_visits:
        raise InvalidTransition(_("您在导师库里设置为暂不接受乡村行，请先联系工作人员修改。"))
    county, place = _validate(data)
    _lock_mentor(mentor)
    _lock_place_day(place["place_key"], data.day)
    errors = _clashes(mentor, county, place["place_key"], data.day, data.start, data.end, None)
    if errors:
        raise VisitErrors(errors)
    codes = set(db.session.scalars(sa.select(Unit.code)))
    confirm_code = unit_for("hrss", county.code, codes) or "city-hrss"
    confirm_unit = db.session.scalar(sa.select(Unit).where(Unit.code == confirm_code))
    visit = Visit(
        mentor_id=mentor.id,
        county_id=county.id,
        day=data.day,
        start_time=data.start,
        end_time=data.end,
        capacity=data.capacity,
        note=data.note.strip()[:1000] or None,
        status="pending",
        confirm_unit_id=confirm_unit.id,
        **place,
    )
    db.session.add(visit)
    db.session.flush()
    audit.record(user, "visit.book", "visit", visit.id, after={"day": data.day.isoformat(), "place": visit.place_key})
    return visit


def move(user: User, visit_id: int, data: VisitInput) -> Visit:
    """Change the day or time of one's own visit; clash rules apply again and everyone signed up is told."""
    visit = own_visit(user, visit_id)
    if visit.status not in ACTIVE:
        raise InvalidTransition(_("这次走访已经取消或结束，不能再修改。"))
    errors: dict[str, str] = {}
    _check_times(data, errors)
    if data.capacity is None or not 1 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("可报名人数为 1 到 %(n)s 人。", n=MAX_CAPACITY)
    elif data.capacity < visit.seats_taken:
        errors["capacity"] = _("已有 %(n)s 人报名，人数不能少于这个数。", n=visit.seats_taken)
    if errors:
        raise VisitErrors(errors)
    _lock_mentor(visit.mentor)
    _lock_place_day(visit.place_key, data.day)
    errors = _clashes(visit.mentor, visit.county, visit.place_key, data.day, data.start, data.end, visit.id)
    if errors:
        raise VisitErrors(errors)
    before = describe(visit)
    visit.day, visit.start_time, visit.end_time, visit.capacity = data.day, data.start, data.end, data.capacity
    audit.record(user, "visit.move", "visit", visit.id, before={"when": before}, after={"when": describe(visit)})
    with force_locale("zh_Hans_CN"):
        _tell_signed_up(visit, _("【南阳返乡创业】您报名的导师乡村行改到%(when)s，请留意。", when=_short(visit)))
    _promote_waiting(visit)
    return visit


def cancel(user: User, visit_id: int, reason: str) -> Visit:
    visit = own_visit(user, visit_id)
    if visit.status not in ACTIVE:
        raise InvalidTransition(_("这次走访已经取消或结束。"))
    visit.status, visit.decision_note = "cancelled", (reason or "").strip()[:500] or None
    audit.record(user, "visit.cancel", "visit", visit.id, after={"reason": visit.decision_note})
    with force_locale("zh_Hans_CN"):
        _tell_signed_up(visit, _("【南阳返乡创业】您报名的%(when)s导师乡村行已取消，抱歉。", when=_short(visit)))
    return visit


def own_visit(user: User, visit_id: int) -> Visit:
    mentor = mentor_of(user)
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.mentor_id != mentor.id:
        raise NotFound()
    return visit


def _short(visit: Visit) -> str:
    return f"{visit.day.month}月{visit.day.day}日{visit.start_time.strftime('%H:%M')}"


def _tell_signed_up(visit: Visit, sms_text: str, statuses=("confirmed", "waiting")) -> None:
    for signup in visit.signups:
        if signup.status in statuses:
            notify.inbox(signup.user_id, _("导师乡村行有变化"), sms_text, f"/visits/{visit.id}")
            notify.sms(signup.user.phone, sms_text, purpose="visit", user_id=signup.user_id)


# ---------------------------------------------------------------- confirmation by the county 人社局


def pending_for(user: User) -> list[Visit]:
    if user.role != "staff":
        raise NotFound()
    return list(
        db.session.scalars(
            sa.select(Visit)
            .where(Visit.confirm_unit_id == user.unit_id, Visit.status == "pending")
            .order_by(Visit.day, Visit.start_time)
        )
    )


def decide(user: User, visit_id: int, confirm: bool, note: str = "") -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or user.role != "staff" or visit.confirm_unit_id != user.unit_id:
        raise NotFound()
    if visit.status != "pending":
        raise InvalidTransition(_("这次走访已经处理过了。"))
    if not confirm and len((note or "").strip()) < 2:
        raise InvalidInput(_("请写明不同意的原因，导师能看到。"), field="note")
    visit.status = "confirmed" if confirm else "declined"
    visit.decided_by_id, visit.decided_at, visit.decision_note = user.id, utcnow(), (note or "").strip() or None
    audit.record(user, "visit.confirm" if confirm else "visit.decline", "visit", visit.id)
    mentor_user = db.session.scalar(sa.select(User).where(User.mentor_id == visit.mentor_id))
    if mentor_user is not None:
        with force_locale("zh_Hans_CN"):
            text = (
                _("【南阳返乡创业】您%(when)s的乡村行已确认发布。", when=_short(visit))
                if confirm
                else _("【南阳返乡创业】您%(when)s的乡村行未获同意，请登录查看原因。", when=_short(visit))
            )
        notify.inbox(mentor_user.id, _("乡村行预约结果"), visit.decision_note or text, "/mentor/visits")
        notify.sms(mentor_user.phone, text, purpose="visit", user_id=mentor_user.id)
    return visit


# ---------------------------------------------------------------- public calendar and sign-ups


def upcoming(county_id: int | None = None, topic: str | None = None, month: date | None = None) -> list[Visit]:
    stmt = sa.select(Visit).where(Visit.status == "confirmed")
    if month:
        first = month.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        stmt = stmt.where(Visit.day >= first, Visit.day < nxt)
    else:
        stmt = stmt.where(Visit.day >= local_now().date())
    if county_id:
        stmt = stmt.where(Visit.county_id == county_id)
    visits = list(db.session.scalars(stmt.order_by(Visit.day, Visit.start_time, Visit.id)))
    if topic:
        visits = [v for v in visits if topic in (v.topics or [])]
    return visits


def public_visit(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.status not in ("confirmed", "completed", "cancelled"):
        raise NotFound()
    return visit


def signup_of(user: User, visit: Visit) -> VisitSignup | None:
    return next((s for s in visit.signups if s.user_id == user.id), None)


def sign_up(user: User, visit_id: int) -> VisitSignup:
    """A seat while there is one, else a place on the waiting list. The visit row is locked meanwhile."""
    if user.role != "applicant":
        raise InvalidTransition(_("请用创业者账号报名。"))
    db.session.execute(sa.select(Visit.id).where(Visit.id == visit_id).with_for_update())
    visit = public_visit(visit_id)
    db.session.refresh(visit)
    if visit.status != "confirmed" or datetime.combine(visit.day, visit.start_time) <= local_now():
        raise InvalidTransition(_("这次走访已经不能报名了。"))
    taken = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(VisitSignup)
        .where(VisitSignup.visit_id == visit.id, VisitSignup.status == "confirmed")
    )
    signup = db.session.scalar(
        sa.select(VisitSignup).where(VisitSignup.visit_id == visit.id, VisitSignup.user_id == user.id)
    )
    status = "confirmed" if taken < visit.capacity else "waiting"
    if signup is not None:
        if signup.status in ("confirmed", "waiting"):
            return signup
        signup.status, signup.cancelled_at, signup.created_at = status, None, utcnow()
    else:
        signup = VisitSignup(visit_id=visit.id, user_id=user.id, status=status)
        db.session.add(signup)
    db.session.flush()
    audit.record(user, "visit.signup", "visit", visit.id, after={"status": status})
    with force_locale("zh_Hans_CN"):
        text = (
            _("【南阳返乡创业】您已报名%(when)s的导师乡村行。", when=_short(visit))
            if status == "confirmed"
            else _("【南阳返乡创业】%(when)s的导师乡村行已满，您在候补名单上。", when=_short(visit))
        )
    notify.sms(user.phone, text, purpose="visit", user_id=user.id)
    return signup


def cancel_signup(user: User, visit_id: int) -> VisitSignup:
    db.session.execute(sa.select(Visit.id).where(Visit.id == visit_id).with_for_update())
    visit = public_visit(visit_id)
    signup = db.session.scalar(
        sa.select(VisitSignup).where(VisitSignup.visit_id == visit.id, VisitSignup.user_id == user.id)
    )
    if signup is None or signup.status == "cancelled":
        raise InvalidTransition(_("您没有报名这次走访。"))
    was = signup.status
    signup.status, signup.cancelled_at = "cancelled", utcnow()
    db.session.flush()
    audit.record(user, "visit.signup_cancel", "visit", visit.id, before={"status": was})
    if was == "confirmed":
        _promote_waiting(visit)
    return signup


def _promote_waiting(visit: Visit) -> None:
    """Free seats go to the waiting list in the order people joined it; each one is told."""
    db.session.flush()
    taken = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(VisitSignup)
        .where(VisitSignup.visit_id == visit.id, VisitSignup.status == "confirmed")
    )
    free = visit.capacity - taken
    if free <= 0:
        return
    waiting = db.session.scalars(
        sa.select(VisitSignup)
        .where(VisitSignup.visit_id == visit.id, VisitSignup.status == "waiting")
        .order_by(VisitSignup.created_at, VisitSignup.id)
        .limit(free)
    ).all()
    for signup in waiting:
        signup.status = "confirmed"
        with force_locale("zh_Hans_CN"):
            text = _("【南阳返乡创业】有人退出，您已从候补转为正式报名%(when)s的导师乡村行。", when=_short(visit))
        notify.inbox(signup.user_id, _("候补转正"), text, f"/visits/{visit.id}")
        notify.sms(signup.user.phone, text, purpose="visit", user_id=signup.user_id)


# ---------------------------------------------------------------- after the visit


def file_record(
    user: User, visit_id: int, attended_user_ids: list[int], walk_ins: int, topics_covered: str, follow_up: str
) -> VisitRecord:
    visit = own_visit(user, visit_id)
    if visit.status != "confirmed":
        raise InvalidTransition(_("只有已确认的走访可以填写辅导记录。"))
    if datetime.combine(visit.day, visit.end_time) > local_now():
        raise InvalidTransition(_("走访结束后才能填写辅导记录。"))
    if len((topics_covered or "").strip()) < 4:
        raise InvalidInput(_("请写一写这次讲了哪些内容。"), field="topics_covered")
    if walk_ins < 0 or walk_ins > 500:
        raise InvalidInput(_("现场参加人数应在 0 到 500 之间。"), field="walk_ins")
    present = set(attended_user_ids)
    for signup in visit.signups:
        if signup.status == "confirmed":
            signup.attended = signup.user_id in present
    attendees = sum(1 for s in visit.signups if s.attended) + walk_ins
    record = VisitRecord(
        visit_id=visit.id,
        attendees=attendees,
        walk_ins=walk_ins,
        topics_covered=topics_covered.strip()[:2000],
        follow_up=(follow_up or "").strip()[:2000],
        filed_by_id=user.id,
    )
    db.session.add(record)
    visit.status = "completed"
    audit.record(user, "visit.record", "visit", visit.id, after={"attendees": attendees})
    return record


def rate(user: User, visit_id: int, rating: int, comment: str) -> VisitSignup:
    visit = public_visit(visit_id)
    signup = signup_of(user, visit)
    if signup is None or not signup.attended or visit.status != "completed":
        raise InvalidTransition(_("参加过这次走访的人才能评价。"))
    if rating not in (1, 2, 3, 4, 5):
        raise InvalidInput(_("请选择 1 到 5 分。"), field="rating")
    signup.rating, signup.comment, signup.rated_at = rating, (comment or "").strip()[:500] or None, utcnow()
    audit.record(user, "visit.rate", "visit", visit.id, after={"rating": rating})
    return signup


def mentoring_person_times(since: date | None = None) -> int:
    """Each attendee of a filed visit record counts as one 创业辅导 person-time (for the dashboard)."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(VisitRecord.attendees), 0)).join(Visit)
    if since:
        stmt = stmt.where(Visit.day >= since)
    return int(db.session.scalar(stmt) or 0)


# ---------------------------------------------------------------- offers to mentoring applicants


def offer_seat(staff: User, item_id: int, visit_id: int) -> VisitOffer:
    from portal.queues.operations import deciding

    item = deciding(staff, item_id)
    application = item.application
    if application.type != "mentoring":
        raise InvalidTransition(_("只有创业辅导申请可以安排导师乡村行。"))
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.status != "confirmed" or datetime.combine(visit.day, visit.start_time) <= local_now():
        raise InvalidInput(_("请选择一次已确认、还没开始的走访。"), field="visit")
    if visit.seats_left <= 0:
        raise InvalidInput(_("这次走访已经满员，请选择还有名额的走访。"), field="visit")
    offer = VisitOffer(application_id=application.id, visit_id=visit.id, offered_by_id=staff.id)
    db.session.add(offer)
    db.session.flush()
    with force_locale("zh_Hans_CN"):
        message = _(
            "为您安排了导师%(mentor)s的乡村行：%(visit)s。请在申请页面确认是否参加。",
            mentor=visit.mentor.name,
            visit=describe(visit),
        )
    transition(application, "message", staff, unit=item.unit, message=message, details={"offer_id": offer.id})
    notify.inbox(application.applicant_id, _("导师乡村行安排"), message, f"/my/applications/{application.tracking_no}")
    if application.phone:
        with force_locale("zh_Hans_CN"):
            notify.sms(
                application.phone,
                _("【南阳返乡创业】已为您安排导师乡村行，请登录平台确认。"),
                purpose="visit",
                user_id=application.applicant_id,
            )
    return offer


def respond_offer(user: User, tracking_no: str, offer_id: int, accept: bool) -> VisitOffer:
    application = applications.for_applicant(user, tracking_no)
    offer = db.session.get(VisitOffer, offer_id)
    if offer is None or offer.application_id != application.id:
        raise NotFound()
    if offer.status != "offered":
        raise InvalidTransition(_("这个安排已经答复过了。"))
    offer.status, offer.responded_at = ("accepted" if accept else "declined"), utcnow()
    if accept:
        sign_up(user, offer.visit_id)
        transition(
            application,
            "offer_accepted",
            user,
            message=_("已确认参加导师乡村行：%(visit)s。", visit=describe(offer.visit)),
        )
    else:
        audit.record(user, "visit.offer_declined", "application", application.id, after={"offer": offer.id})
    return offer


# ---------------------------------------------------------------- the mentor's calendar feed


def calendar_token(user: User) -> str:
    mentor_of(user)
    if not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(24)
    return user.calendar_token


def ical_for_token(token: str) -> bytes:
    from icalendar import Calendar, Event

    user = db.session.scalar(sa.select(User).where(User.calendar_token == token)) if token else None
    if user is None or user.mentor_id is None:
        raise NotFound()
    cal = Calendar()
    cal.add("prodid", "-//Nanyang returning-entrepreneur portal//visits//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "创业导师乡村行")
    visits = db.session.scalars(
        sa.select(Visit).where(
            Visit.mentor_id == user.mentor_id, Visit.status.in_(("pending", "confirmed", "completed", "cancelled"))
        )
    ).all()
    for visit in visits:
        event = Event()
        event.add("uid", f"visit-{visit.id}@nanyang-returnee-portal")
        event.add("summary", f"创业导师乡村行：{visit.place_name}")
        event.add("dtstart", datetime.combine(visit.day, visit.start_time, tzinfo=LOCAL))
        event.add("dtend", datetime.combine(visit.day, visit.end_time, tzinfo=LOCAL))
        event.add("dtstamp", utcnow())
        event.add("location", visit.address or visit.place_name)
        event.add("status", {"pending": "TENTATIVE", "cancelled": "CANCELLED"}.get(visit.status, "CONFIRMED"))
        event.add("sequence", visit.version)
        event.add("description", "、".join(vocab.label(vocab.EXPERTISE, t) for t in visit.topics or []))
        cal.add_component(event)
    return cal.to_ical()
