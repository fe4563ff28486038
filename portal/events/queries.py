"""Reading events for pages: the public calendar (filters, months, past events with their outcomes), one event, a
unit's events, the attendance list at the door, someone's registrations, and the training attendance the
dashboard counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.catalog.models import Unit
from portal.core.access import require
from portal.core.clock import BEIJING, local_now, to_local, to_utc  # noqa: F401 (the area's names)
from portal.db import utcnow
from portal.events.models import Event, EventInvitation, EventRegistration
from portal.events.states import CANCELLED, DRAFT, FINISHED, PUBLIC, PUBLISHED, SEATED, WAITING
from portal.extensions import db


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def has_started(event: Event) -> bool:
    return aware(event.starts_at) <= utcnow()


def has_ended(event: Event) -> bool:
    return aware(event.ends_at) <= utcnow()


def deadline_passed(event: Event) -> bool:
    return aware(event.deadline_at) <= utcnow()


def short_when(event: Event) -> str:
    start = to_local(event.starts_at)
    return f"{start.month}月{start.day}日{start:%H:%M}"


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return to_utc(first, time(0)), to_utc(nxt, time(0))


def calendar(
    county_id: int | None = None, kind: str | None = None, month: date | None = None, past: bool = False
) -> list[Event]:
    """Public events: those of a month (any state but draft), else those to come (soonest first), or with
    `past` those that have ended, latest first (their outcomes are the public record)."""
    stmt = sa.select(Event).where(Event.status.in_(PUBLIC)).options(selectinload(Event.registrations))
    now = utcnow()
    if month is not None:
        start, end = month_bounds(month)
        stmt = stmt.where(Event.starts_at < end, Event.ends_at > start).order_by(Event.starts_at, Event.id)
    elif past:
        ended = sa.or_(Event.ends_at <= now, Event.status == FINISHED)  # outcomes recorded: it is over
        stmt = stmt.where(ended, Event.status != CANCELLED).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        stmt = stmt.where(Event.ends_at > now, Event.status == PUBLISHED).order_by(Event.starts_at, Event.id)
    if county_id:
        stmt = stmt.where(Event.county_id == county_id)
    if kind:
        stmt = stmt.where(Event.kind == kind)
    return list(db.session.scalars(stmt.limit(300)))


def feed_events(county_id: int | None = None, kind: str | None = None) -> list[Event]:
    """What the public iCalendar feed carries: published, cancelled and finished events from 90 days back."""
    stmt = sa.select(Event).where(Event.status.in_(PUBLIC), Event.ends_at > utcnow() - timedelta(days=90))
    if county_id:
        stmt = stmt.where(Event.county_id == county_id)
    if kind:
        stmt = stmt.where(Event.kind == kind)
    return list(db.session.scalars(stmt.order_by(Event.starts_at, Event.id).limit(1000)))


def visible(user, event_id: int) -> Event:
    return require(user, "event.view", db.session.get(Event, event_id))


def managed(user, event_id: int) -> Event:
    return require(user, "event.manage", db.session.get(Event, event_id))


def for_unit(user: User) -> list[Event]:
    """The events of the user's unit, newest first."""
    require(user, "event.create")
    stmt = sa.select(Event).where(Event.unit_id == user.unit_id).options(selectinload(Event.registrations))
    return list(db.session.scalars(stmt.order_by(Event.starts_at.desc(), Event.id.desc())))


def drafts_for_office(user: User) -> list[Event]:
    """Every unit's drafts, for the office (which reads them)."""
    if user.role != "office":
        return []
    stmt = sa.select(Event).where(Event.status == DRAFT, Event.unit_id != user.unit_id)
    return list(db.session.scalars(stmt.order_by(Event.starts_at)))


def registration_of(user, event: Event) -> EventRegistration | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return next((r for r in event.registrations if r.user_id == user.id), None)


def invitation_of(user, event: Event) -> EventInvitation | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(EventInvitation).where(EventInvitation.event_id == event.id, EventInvitation.user_id == user.id)
    )


def invitations(event: Event) -> list[EventInvitation]:
    return list(
        db.session.scalars(
            sa.select(EventInvitation)
            .where(EventInvitation.event_id == event.id)
            .options(selectinload(EventInvitation.user))
            .order_by(EventInvitation.invited_at.is_(None).desc(), EventInvitation.id)
        )
    )


def waiting_list(event: Event) -> list[EventRegistration]:
    return sorted((r for r in event.registrations if r.status == WAITING), key=lambda r: (aware(r.created_at), r.id))


def attendance_list(event: Event, q: str = "") -> list[EventRegistration]:
    """Seated registrations for the door, by name; `q` finds a name, the last digits of a phone or a ticket code.
    Names and phones are stored encrypted, so the few hundred rows of one event are filtered after reading."""
    rows = [r for r in event.registrations if r.status == SEATED]
    q = (q or "").strip()
    if q:
        upper = q.upper()
        rows = [
            r
            for r in rows
            if q in (r.user.name or "")
            or (q.isdigit() and (r.user.phone or "").endswith(q))
            or (r.code and r.code == upper)
        ]
    return sorted(rows, key=lambda r: (r.checked_in_at is not None, r.user.name or "", r.id))


def mine(user: User) -> list[EventRegistration]:
    stmt = (
        sa.select(EventRegistration)
        .join(Event)
        .where(EventRegistration.user_id == user.id, EventRegistration.status.in_((SEATED, WAITING)))
        .order_by(Event.starts_at.desc())
    )
    return list(db.session.scalars(stmt))


def unit_of(user: User) -> Unit | None:
    return db.session.get(Unit, user.unit_id) if user and user.unit_id else None


def training_attendance_rows():
    """(local start day, county, registrations checked in) of every 培训班 that was not cancelled: the source of
    the dashboard's `event_training` counter."""
    stmt = (
        sa.select(Event.starts_at, Event.county_id)
        .join(EventRegistration, EventRegistration.event_id == Event.id)
        .where(Event.kind == "training", EventRegistration.checked_in_at.is_not(None))
    )
    return db.session.execute(stmt.execution_options(yield_per=5000))


# ---------------------------------------------------------------- a survey's audience (surveys.audiences)


def attendee_ids(event_id: str | None):
    """The people checked in at the door of an event: a survey for "attendees of an event" reaches them."""
    if not event_id or not event_id.isdigit():
        return sa.select(EventRegistration.user_id).where(sa.false())
    return sa.select(EventRegistration.user_id).where(
        EventRegistration.event_id == int(event_id), EventRegistration.checked_in_at.is_not(None)
    )


def attended_events(limit: int = 50) -> list[tuple[str, str]]:
    """Events someone was checked in at, newest first, as (id, "title（day）") for the survey form."""
    stmt = (
        sa.select(Event)
        .where(sa.exists().where(EventRegistration.event_id == Event.id, EventRegistration.checked_in_at.is_not(None)))
        .order_by(Event.starts_at.desc())
        .limit(limit)
    )
    return [(str(e.id), f"{e.title}（{to_local(e.starts_at):%Y-%m-%d}）") for e in db.session.scalars(stmt)]


# ---------------------------------------------------------------- a shortlist of projects for an event (ventures)

PITCH_KINDS = ("roadshow", "matchmaking", "sales")


def pitch_events(unit_id: int | None) -> list[Event]:
    """The unit's 路演, 投资对接会 and 销售对接会 not yet over (drafts included): what a shortlist can be for."""
    if unit_id is None:
        return []
    stmt = (
        sa.select(Event)
        .where(
            Event.unit_id == unit_id,
            Event.kind.in_(PITCH_KINDS),
            Event.status.in_((DRAFT, PUBLISHED)),
            Event.ends_at > utcnow(),
        )
        .order_by(Event.starts_at)
    )
    return list(db.session.scalars(stmt))
