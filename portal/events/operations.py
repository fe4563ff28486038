"""Changing events: drafting, editing, publishing and cancelling (the organiser unit); registering and cancelling
(entrepreneurs, with the shared seats and waiting list of `core.seats`); the invitation list of an invited-only
event; check-in at the door; outcomes afterwards; the reminder the day before.

Status columns move only through the lifecycles in `events.states`; the caller's request commits once.
"""

from __future__ import annotations

import secrets
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.core.access import require
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition
from portal.events import checks, notifications, queries
from portal.events.checks import EventErrors, EventInput
from portal.events.models import Event, EventInvitation, EventRegistration
from portal.events.states import (
    CANCELLED,
    DRAFT,
    EVENT,
    FINISHED,
    PUBLISHED,
    SEATED,
    SEATS,
    WAITING,
    attendance_changed,
)
from portal.extensions import db
from portal.registry.models import Registration
from portal.registry.states import CONFIRMED as REGISTRY_CONFIRMED
from portal.registry.states import OPEN as REGISTRY_OPEN

# ---------------------------------------------------------------- the organiser


def _moments(data: EventInput) -> dict:
    start = queries.to_utc(data.start_day, data.start_time)
    end = queries.to_utc(data.end_day or data.start_day, data.end_time)
    deadline = queries.to_utc(data.deadline_day, data.deadline_time) if data.deadline_day else start
    return {"starts_at": start, "ends_at": end, "deadline_at": deadline}


def create(user: User, data: EventInput) -> Event:
    """A draft of the user's unit; nobody else sees it until it is published."""
    require(user, "event.create")
    county, values = checks.validate(data)
    event = Event(
        **values,
        **_moments(data),
        county_id=county.id,
        unit_id=user.unit_id,
        status=EVENT.initial,
        created_by_id=user.id,
    )
    db.session.add(event)
    db.session.flush()
    audit.record(user, "event.create", "event", event.id, after={"title": event.title, "kind": event.kind})
    return event


def update(user: User, event_id: int, data: EventInput) -> Event:
    """Change a draft or a published event that has not started and where nobody is checked in yet; people
    registered are told of a new time, and a larger capacity moves the waiting list up."""
    event = _locked(user, event_id)
    if event.status not in (DRAFT, PUBLISHED) or queries.has_started(event):
        raise InvalidTransition(_("活动已经开始、结束或取消，不能再修改。"))
    if any(r.checked_in_at for r in event.registrations):
        raise InvalidTransition(_("已经有人签到，不能再修改活动。"))
    county, values = checks.validate(data, is_new=event.status == DRAFT)
    taken = SEATS.taken(event)
    if values["capacity"] < taken:
        raise EventErrors({"capacity": _("已有 %(n)s 人报名，可报名人数不能少于这个数。", n=taken)})
    moments = _moments(data)
    moved = moments["starts_at"] != queries.aware(event.starts_at) or moments["ends_at"] != queries.aware(event.ends_at)
    grew = values["capacity"] > event.capacity
    before = {"title": event.title, "when": queries.short_when(event), "capacity": event.capacity}
    for key, value in {**values, **moments, "county_id": county.id}.items():
        setattr(event, key, value)
    if moved:
        event.version += 1  # calendars take a change only when SEQUENCE grows
    db.session.flush()
    after = {"title": event.title, "when": queries.short_when(event), "capacity": event.capacity}
    audit.record(user, "event.update", "event", event.id, before=before, after=after)
    if moved and event.status == PUBLISHED:
        notifications.everyone(event, "moved")
    if grew and event.status == PUBLISHED:
        SEATS.promote(event, "capacity", notifications.promoted)
    return event


def publish(user: User, event_id: int) -> Event:
    event = queries.managed(user, event_id)
    if queries.has_started(event):
        raise InvalidTransition(_("活动开始时间已经过去了，请先修改时间再发布。"))
    EVENT.apply(event, "publish", user, refusal=_("这个活动已经发布或取消了。"))
    return event


def cancel(user: User, event_id: int, reason: str) -> int:
    event = _locked(user, event_id)
    reason = " ".join((reason or "").split())[:500]
    if event.status == PUBLISHED and len(reason) < 2:
        raise InvalidInput(_("请写明取消的原因，报名的人会看到。"), field="reason")
    if event.status == PUBLISHED and queries.has_started(event):
        raise InvalidTransition(_("活动已经开始，不能取消；结束后请登记活动成果。"))
    was = event.status
    EVENT.apply(
        event,
        "cancel",
        user,
        refusal=_("这个活动已经取消或结束了。"),
        values={"cancel_reason": reason or None, "version": Event.version + 1},
        audit_after={"reason": reason or None},
    )
    return notifications.everyone(event, "cancelled") if was == PUBLISHED else 0  # how many were told


def _locked(user: User, event_id: int) -> Event:
    event = queries.managed(user, event_id)
    SEATS.lock(event.id)
    db.session.refresh(event)
    return event


# ---------------------------------------------------------------- registration (entrepreneurs)


def _may_join(user: User, event: Event) -> None:
    if event.audience == "registered":
        statuses = set(db.session.scalars(sa.select(Registration.status).where(Registration.owner_id == user.id)))
        if REGISTRY_CONFIRMED not in statuses:
            waiting = statuses & set(REGISTRY_OPEN)
            raise InvalidTransition(
                _("这个活动只接受已确认返乡创业登记的创业者报名。您的登记还在等县区人社局确认，确认后即可报名。")
                if waiting
                else _(
                    "这个活动只接受已确认返乡创业登记的创业者报名。请先在“返乡创业登记”登记您的经营主体，县区人社局确认后即可报名。"
                )
            )
    elif event.audience == "invited":
        invitation = queries.invitation_of(user, event)
        if invitation is None or invitation.invited_at is None:
            raise InvalidTransition(_("这个活动只接受受邀项目报名。您可以在本页申请邀请，主办单位同意后即可报名。"))


def register(user: User, event_id: int) -> EventRegistration:
    """A seat while there is one, else a place on the waiting list; the event row is locked meanwhile."""
    if user.role != "applicant":
        raise InvalidTransition(_("请用创业者账号报名。"))
    SEATS.lock(event_id)
    event = queries.visible(user, event_id)
    db.session.refresh(event)
    if event.status == CANCELLED:
        raise InvalidTransition(_("活动已取消，不能报名。"))
    if event.status != PUBLISHED or queries.has_started(event):
        raise InvalidTransition(_("活动已经开始或结束，不能报名了。"))
    if queries.deadline_passed(event):
        raise InvalidTransition(_("报名已经截止了。"))
    mine = SEATS.of(event, user.id)
    if mine is not None and mine.status in (SEATED, WAITING):
        if mine.status == SEATED:
            raise InvalidTransition(_("您已经报名了这个活动，不用重复报名。"))
        raise InvalidTransition(_("您已经在候补名单上了，不用重复报名。"))
    _may_join(user, event)
    registration, _joined = SEATS.join(user, event)
    if not registration.code:
        registration.code = _ticket_code()
    notifications.registered(registration)
    return registration


def _ticket_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the door
    return "".join(secrets.choice(alphabet) for _ in range(8))


def cancel_registration(user: User, event_id: int) -> EventRegistration:
    SEATS.lock(event_id)
    event = queries.visible(user, event_id)
    db.session.refresh(event)
    if event.status == PUBLISHED and queries.has_started(event):
        raise InvalidTransition(_("活动已经开始，不能再取消报名。"))
    registration, held_seat = SEATS.leave(user, event, _("您没有报名这个活动。"))
    if held_seat and event.status == PUBLISHED:
        SEATS.promote(event, "withdrawal", notifications.promoted)
    return registration


# ---------------------------------------------------------------- invitations (invited-only events)


def ask_invitation(user: User, event_id: int, project: str) -> EventInvitation:
    """An entrepreneur asks to be invited, naming the project they would bring."""
    if user.role != "applicant":
        raise InvalidTransition(_("请用创业者账号申请。"))
    event = queries.visible(user, event_id)
    if event.status != PUBLISHED or event.audience != "invited" or queries.deadline_passed(event):
        raise InvalidTransition(_("这个活动现在不接受邀请申请。"))
    project = " ".join((project or "").split())
    if not 2 <= len(project) <= 120:
        raise InvalidInput(_("请写一写您要带来的项目（2 到 120 个字）。"), field="project")
    if queries.invitation_of(user, event) is not None:
        raise InvalidTransition(_("您已经申请过了，请等主办单位答复。"))
    invitation = EventInvitation(event_id=event.id, user_id=user.id, project=project, requested_at=utcnow())
    db.session.add(invitation)
    db.session.flush()
    audit.record(user, "event.ask_invitation", "event", event.id, after={"project": project})
    return invitation


def invite(user: User, event_id: int, phone: str = "", invitation_id: int | None = None) -> EventInvitation:
    """The organiser invites a person by their mobile number (an entrepreneur account), or accepts a request."""
    event = queries.managed(user, event_id)
    if event.audience != "invited" or event.status not in (DRAFT, PUBLISHED):
        raise InvalidTransition(_("只有“仅限受邀项目”且未结束的活动需要邀请名单。"))
    if invitation_id is not None:
        invitation = db.session.get(EventInvitation, invitation_id)
        if invitation is None or invitation.event_id != event.id:
            raise InvalidInput(_("没有找到这个申请。"))
    else:
        number = checks.digits(phone).replace(" ", "").replace("-", "")
        if not (len(number) == 11 and number.isascii() and number.isdigit() and number.startswith("1")):
            raise InvalidInput(_("请填写 11 位手机号码。"), field="phone")
        person = db.session.scalar(sa.select(User).where(User.phone == number, User.role == "applicant"))
        if person is None:
            raise InvalidInput(_("这个手机号还没有注册创业者账号，请对方先注册。"), field="phone")
        invitation = queries.invitation_of(person, event)
        if invitation is None:
            invitation = EventInvitation(event_id=event.id, user_id=person.id)
            db.session.add(invitation)
    if invitation.invited_at is not None:
        raise InvalidTransition(_("已经邀请过这个人了。"))
    invitation.invited_at, invitation.invited_by_id = utcnow(), user.id
    db.session.flush()
    audit.record(user, "event.invite", "event", event.id, after={"user_id": invitation.user_id})
    if event.status == PUBLISHED:
        notifications.invited(invitation, event)
    return invitation


# ---------------------------------------------------------------- at the door, and afterwards


def check_in(user: User, event_id: int, registration_id: int, undo: bool = False) -> EventRegistration:
    """Mark a registered person present (or take it back). A conditional update: two phones at the door
    checking the same person in count them once."""
    event = require(user, "event.checkin", db.session.get(Event, event_id))
    if queries.local_now().date() < queries.to_local(event.starts_at).date():
        raise InvalidTransition(_("活动当天才能签到。"))
    registration = db.session.get(EventRegistration, registration_id)
    if registration is None or registration.event_id != event.id or registration.status != SEATED:
        raise InvalidInput(_("名单上没有这个人。"))
    column = EventRegistration.checked_in_at
    stmt = sa.update(EventRegistration).where(EventRegistration.id == registration.id)
    if undo:
        stmt = stmt.where(column.is_not(None)).values(checked_in_at=None, checked_in_by_id=None)
    else:
        stmt = stmt.where(column.is_(None)).values(checked_in_at=utcnow(), checked_in_by_id=user.id)
    db.session.flush()
    changed = db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(registration)
    if changed:
        audit.record(user, "event.uncheck" if undo else "event.checkin", "event", event.id,
                     after={"registration_id": registration.id})  # fmt: skip
        attendance_changed.send(registration, event=event, checked_in=not undo)
    return registration


def _amount(raw: str) -> Decimal | None:
    text = checks.digits(raw).replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(_("金额请用数字填写（单位：万元），例如 120 或 35.5。"), field="amount_wan") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1000000000"):
        raise InvalidInput(_("金额要在 0 到 999999999 万元之间。"), field="amount_wan")
    return value.quantize(Decimal("0.01"))


def record_outcomes(user: User, event_id: int, deals_raw: str, amount_raw: str, summary: str) -> Event:
    """After the start: deals or intentions signed, amounts where given, a short public summary; the attendance
    is the check-ins. The first time it finishes the event; the organiser may correct it afterwards."""
    event = queries.managed(user, event_id)
    if event.status not in (PUBLISHED, FINISHED):
        raise InvalidTransition(_("只有已发布的活动可以登记成果。"))
    if not queries.has_started(event):
        raise InvalidTransition(_("活动开始以后才能登记成果。"))
    deals = checks.parse_count(deals_raw) if (deals_raw or "").strip() else 0
    if deals is None or deals > 100000:
        raise InvalidInput(_("签约或意向数请填 0 到 100000 的整数。"), field="deals")
    amount = _amount(amount_raw)
    summary = (summary or "").strip()
    if len(summary) < 10:
        raise InvalidInput(_("请写一段活动小结（至少 10 个字），会公开显示。"), field="summary")
    if len(summary) > 2000:
        raise InvalidInput(_("活动小结最多 2000 个字。"), field="summary")
    attendance = sum(1 for r in event.registrations if r.checked_in_at is not None)
    values = {"attendance": attendance, "deals": deals, "amount_wan": amount, "summary": summary,
              "outcomes_at": utcnow(), "outcomes_by_id": user.id}  # fmt: skip
    after = {"attendance": attendance, "deals": deals, "amount_wan": str(amount) if amount is not None else None}
    if event.status == PUBLISHED:
        EVENT.apply(event, "finish", user, refusal=_("这个活动已经处理过了。"), values=values, audit_after=after)
    else:
        for key, value in values.items():
            setattr(event, key, value)
        audit.record(user, "event.outcomes", "event", event.id, after=after)
    return event


# ---------------------------------------------------------------- the reminder the day before (cron)


def remind_tomorrow(today=None) -> int:
    """An SMS to everyone with a seat at a published event starting tomorrow (Beijing), once each."""
    today = today or queries.local_now().date()
    start = queries.to_utc(today + timedelta(days=1), time(0))
    end = start + timedelta(days=1)
    rows = db.session.scalars(
        sa.select(EventRegistration)
        .join(Event)
        .where(
            Event.status == PUBLISHED,
            Event.starts_at >= start,
            Event.starts_at < end,
            EventRegistration.status == SEATED,
            EventRegistration.reminded_at.is_(None),
        )
    ).all()
    for registration in rows:
        registration.reminded_at = utcnow()
        notifications.reminder(registration)
    return len(rows)
