"""Changing 创业导师乡村行: booking, moving and cancelling visits, the county 人社局's decision, sign-ups with a
waiting list, the record after a visit, ratings, and seats offered to mentoring applicants.

Status columns move only through the lifecycles in `visits.states`; the caller's request commits once.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.applications import queries as applications
from portal.applications.states import transition
from portal.catalog.models import Unit
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition, NotFound
from portal.extensions import db
from portal.routing.rules import unit_for
from portal.visits import booking, notifications
from portal.visits.booking import MAX_CAPACITY, VisitErrors, VisitInput
from portal.visits.models import Visit, VisitOffer, VisitRecord, VisitSignup
from portal.visits.queries import describe, has_started, local_now, mentor_of, own_visit, public_visit
from portal.visits.states import ACTIVE, CONFIRMED, OFFER, SEATED, SEATS, VISIT

# ---------------------------------------------------------------- the mentor's bookings


def book(user: User, data: VisitInput) -> Visit:
    mentor = mentor_of(user)
    if not mentor.accepts_visits:
        raise InvalidTransition(_("您在导师库里设置为暂不接受乡村行，请先联系工作人员修改。"))
    county, place = booking.validate(data)
    booking.lock_mentor(mentor)
    booking.lock_place_day(place["place_key"], data.day)
    errors = booking.clashes(mentor, county, place["place_key"], data.day, data.start, data.end, None)
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
        status=VISIT.initial,
        confirm_unit_id=confirm_unit.id,
        **place,
    )
    db.session.add(visit)
    db.session.flush()
    audit.record(user, "visit.book", "visit", visit.id, after={"day": data.day.isoformat(), "place": visit.place_key})
    ensure_calendar_token(user)
    return visit


def move(user: User, visit_id: int, data: VisitInput) -> Visit:
    """Change the day or time of one's own visit; clash rules apply again and everyone signed up is told."""
    visit = own_visit(user, visit_id)
    if visit.status not in ACTIVE:
        raise InvalidTransition(_("这次走访已经取消或结束，不能再修改。"))
    errors: dict[str, str] = {}
    booking.check_times(data, errors)
    if data.capacity is None or not 1 <= data.capacity <= MAX_CAPACITY:
        errors["capacity"] = _("可报名人数为 1 到 %(n)s 人。", n=MAX_CAPACITY)
    elif data.capacity < visit.seats_taken:
        errors["capacity"] = _("已有 %(n)s 人报名，人数不能少于这个数。", n=visit.seats_taken)
    if errors:
        raise VisitErrors(errors)
    booking.lock_mentor(visit.mentor)
    booking.lock_place_day(visit.place_key, data.day)
    errors = booking.clashes(visit.mentor, visit.county, visit.place_key, data.day, data.start, data.end, visit.id)
    if errors:
        raise VisitErrors(errors)
    before, moved = describe(visit), (data.day, data.start, data.end) != (visit.day, visit.start_time, visit.end_time)
    grew = data.capacity > visit.capacity
    visit.day, visit.start_time, visit.end_time, visit.capacity = data.day, data.start, data.end, data.capacity
    visit.version += 1  # calendars on phones take the change only when SEQUENCE grows
    audit.record(user, "visit.move", "visit", visit.id, before={"when": before}, after={"when": describe(visit)})
    if moved:
        notifications.signed_up_changed(visit, "moved")
    if grew:
        promote_waiting(visit, reason="capacity")
    return visit


def cancel(user: User, visit_id: int, reason: str) -> Visit:
    visit = own_visit(user, visit_id)
    VISIT.apply(
        visit,
        "cancel",
        user,
        refusal=_("这次走访已经取消或结束。"),
        values={"decision_note": (reason or "").strip()[:500] or None, "version": Visit.version + 1},
        audit_after={"reason": (reason or "").strip()[:500] or None},
    )
    notifications.signed_up_changed(visit, "cancelled")
    return visit


def ensure_calendar_token(user: User, renew: bool = False) -> str:
    """The secret in the mentor's calendar feed address (made with a booking, or when the mentor asks)."""
    mentor_of(user)
    if renew or not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(24)
        audit.record(user, "visit.calendar_token", "user", user.id)
    return user.calendar_token


# ---------------------------------------------------------------- confirmation by the county 人社局


def decide(user: User, visit_id: int, confirm: bool, note: str = "") -> Visit:
    from portal.core.access import require

    visit = require(user, "visit.confirm", db.session.get(Visit, visit_id))
    note = (note or "").strip()
    if visit.status == "pending" and not confirm and len(note) < 2:
        raise InvalidInput(_("请写明不同意的原因，导师能看到。"), field="note")
    VISIT.apply(
        visit,
        "confirm" if confirm else "decline",
        user,
        refusal=_("这次走访已经处理过了。"),
        values={"decided_by_id": user.id, "decided_at": utcnow(), "decision_note": note or None},
    )
    notifications.mentor_decision(visit, confirm)
    return visit


# ---------------------------------------------------------------- sign-ups (the shared seats: core.seats)


def _lock(visit_id: int) -> Visit:
    """The published visit, its row locked while seats are counted (SQLite writers already queue)."""
    SEATS.lock(visit_id)
    visit = public_visit(visit_id)
    db.session.refresh(visit)
    return visit


def sign_up(user: User, visit_id: int) -> VisitSignup:
    """A seat while there is one, else a place on the waiting list. The visit row is locked meanwhile."""
    if user.role != "applicant":
        raise InvalidTransition(_("请用创业者账号报名。"))
    visit = _lock(visit_id)
    if visit.status != CONFIRMED or has_started(visit):
        raise InvalidTransition(_("这次走访已经不能报名了。"))
    signup, joined = SEATS.join(user, visit)
    if joined:
        notifications.signed_up(signup)
    return signup


def cancel_signup(user: User, visit_id: int) -> VisitSignup:
    visit = _lock(visit_id)
    signup, held_seat = SEATS.leave(user, visit, _("您没有报名这次走访。"))
    if held_seat:
        promote_waiting(visit, reason="withdrawal")
    return signup


def promote_waiting(visit: Visit, reason: str) -> None:
    """Free seats go to the waiting list in the order people joined it; each one is told why."""
    SEATS.promote(visit, reason, notifications.promoted)


# ---------------------------------------------------------------- after the visit


def file_record(
    user: User, visit_id: int, attended_user_ids: list[int], walk_ins: int, topics_covered: str, follow_up: str
) -> VisitRecord:
    visit = own_visit(user, visit_id)
    if visit.status != CONFIRMED:
        raise InvalidTransition(_("只有已确认的走访可以填写辅导记录。"))
    if booking.ends_after(visit, local_now()):
        raise InvalidTransition(_("走访结束后才能填写辅导记录。"))
    if len((topics_covered or "").strip()) < 4:
        raise InvalidInput(_("请写一写这次讲了哪些内容。"), field="topics_covered")
    if walk_ins < 0 or walk_ins > 500:
        raise InvalidInput(_("现场参加人数应在 0 到 500 之间。"), field="walk_ins")
    present = set(attended_user_ids)
    for signup in visit.signups:
        if signup.status == SEATED:
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
    VISIT.apply(visit, "record", user, audit_after={"attendees": attendees})
    return record


def rate(user: User, visit_id: int, rating: int, comment: str) -> VisitSignup:
    from portal.visits.queries import signup_of

    visit = public_visit(visit_id)
    signup = signup_of(user, visit)
    if signup is None or not signup.attended or visit.status != "completed":
        raise InvalidTransition(_("参加过这次走访的人才能评价。"))
    if signup.rating is not None:
        raise InvalidTransition(_("您已经评价过这次走访，每人只能评价一次。"))
    if rating not in (1, 2, 3, 4, 5):
        raise InvalidInput(_("请选择 1 到 5 分。"), field="rating")
    signup.rating, signup.comment, signup.rated_at = rating, (comment or "").strip()[:500] or None, utcnow()
    audit.record(user, "visit.rate", "visit", visit.id, after={"rating": rating})
    return signup


# ---------------------------------------------------------------- seats offered to mentoring applicants


def offer_seat(staff: User, item_id: int, visit_id: int) -> VisitOffer:
    """Staff answer a mentoring application with a seat: a decision on the application, so it is allowed only
    where the queue item may be decided (claimed, accepted, co-review opinions in), on a visit to come that
    has places left. It moves the application through its own state machine ("offer_visit")."""
    from portal.queues.operations import deciding

    item = deciding(staff, item_id)
    application = item.application
    if application.type != "mentoring":
        raise InvalidTransition(_("只有创业辅导申请可以安排导师乡村行。"))
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.status != CONFIRMED or has_started(visit):
        raise InvalidInput(_("请选择一次已确认、还没开始的走访。"), field="visit")
    if visit.seats_left <= 0:
        raise InvalidInput(_("这次走访已经满员，请选择还有名额的走访。"), field="visit")
    offer = VisitOffer(application_id=application.id, visit_id=visit.id, offered_by_id=staff.id, status=OFFER.initial)
    db.session.add(offer)
    db.session.flush()
    message = _(
        "为您安排了导师%(mentor)s的乡村行：%(visit)s。请在申请页面确认是否参加。",
        mentor=visit.mentor.name,
        visit=describe(visit),
    )
    transition(application, "offer_visit", staff, unit=item.unit, message=message, details={"offer_id": offer.id})
    return offer


def respond_offer(user: User, tracking_no: str, offer_id: int, accept: bool) -> VisitOffer:
    application = applications.for_applicant(user, tracking_no)
    offer = db.session.get(VisitOffer, offer_id)
    if offer is None or offer.application_id != application.id:
        raise NotFound()
    refusal = _("这个安排已经答复过了。")
    if not accept:
        OFFER.apply(offer, "decline", user, refusal=refusal, values={"responded_at": utcnow()})
        transition(
            application, "offer_declined", user, message=_("谢绝了导师乡村行：%(visit)s。", visit=describe(offer.visit))
        )
        return offer
    OFFER.apply(offer, "accept", user, refusal=refusal, values={"responded_at": utcnow()})
    signup = sign_up(user, offer.visit_id)
    if signup.status != SEATED:
        raise InvalidTransition(_("这次走访的名额已经满了，请联系办理单位另行安排。"))
    transition(
        application, "offer_accepted", user, message=_("已确认参加导师乡村行：%(visit)s。", visit=describe(offer.visit))
    )
    return offer
