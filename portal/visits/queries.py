"""Reading visits for pages: the public calendar, one visit, a mentor's own visits, what a unit must confirm,
offers made to an applicant, and the person-times that count toward the plan's mentoring target."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.catalog.models import Mentor, Unit
from portal.core.access import require
from portal.core.clock import local_now
from portal.errors import NotFound
from portal.extensions import db
from portal.routing.rules import unit_for
from portal.visits.models import Visit, VisitOffer, VisitRecord, VisitSignup
from portal.visits.states import CONFIRMED, PENDING


def describe(visit: Visit) -> str:
    return _(
        "%(day)s %(start)s–%(end)s 在%(place)s的走访",
        day=f"{visit.day.month}月{visit.day.day}日",
        start=visit.start_time.strftime("%H:%M"),
        end=visit.end_time.strftime("%H:%M"),
        place=visit.place_name,
    )


def short_when(visit: Visit) -> str:
    return f"{visit.day.month}月{visit.day.day}日{visit.start_time.strftime('%H:%M')}"


def mentor_of(user: User) -> Mentor:
    """The directory entry of a mentor's account; anyone else: 404."""
    if user is None or user.role != "mentor" or user.mentor is None:
        raise NotFound()
    return user.mentor


def own_visit(user: User, visit_id: int) -> Visit:
    mentor_of(user)
    return require(user, "visit.manage", db.session.get(Visit, visit_id))


def mentor_visits(mentor: Mentor) -> list[Visit]:
    return list(
        db.session.scalars(
            sa.select(Visit).where(Visit.mentor_id == mentor.id).order_by(Visit.day.desc(), Visit.start_time)
        )
    )


def pending_for(user: User) -> list[Visit]:
    """Visits waiting for the confirmation of the user's unit."""
    if user.role != "staff":
        raise NotFound()
    return list(
        db.session.scalars(
            sa.select(Visit)
            .where(Visit.confirm_unit_id == user.unit_id, Visit.status == PENDING)
            .order_by(Visit.day, Visit.start_time)
        )
    )


def upcoming(county_id: int | None = None, topic: str | None = None, month: date | None = None) -> list[Visit]:
    stmt = sa.select(Visit).where(Visit.status == CONFIRMED)
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


def upcoming_for_mentor(mentor: Mentor, limit: int = 5) -> list[Visit]:
    """A mentor's confirmed visits from today on, soonest first (for their directory page)."""
    stmt = (
        sa.select(Visit)
        .where(Visit.mentor_id == mentor.id, Visit.status == CONFIRMED, Visit.day >= local_now().date())
        .order_by(Visit.day, Visit.start_time, Visit.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def organising_units(mentor: Mentor, visits: list[Visit] = ()) -> list[Unit]:
    """The 人社局 that confirm this mentor's visits: those of the visits shown, then each county's of the
    mentor's service area (the city's for a citywide mentor)."""
    codes = set(db.session.scalars(sa.select(Unit.code)))
    counties = [] if mentor.citywide else [c.code for c in mentor.counties]
    area = [unit_for("hrss", code, codes) for code in counties or [None]]
    wanted = list(dict.fromkeys([v.confirm_unit.code for v in visits] + area))
    units = {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_([w for w in wanted if w])))}
    return [units[code] for code in wanted if code in units]


def public_visit(visit_id: int) -> Visit:
    return require(None, "visit.view", db.session.get(Visit, visit_id))


def signup_of(user: User, visit: Visit) -> VisitSignup | None:
    return next((s for s in visit.signups if s.user_id == user.id), None)


def has_started(visit: Visit) -> bool:
    return datetime.combine(visit.day, visit.start_time) <= local_now()


def open_for_offers() -> list[Visit]:
    """Published visits that have not started and still have places: the ones staff may offer a seat on."""
    return [v for v in upcoming() if v.seats_left > 0 and not has_started(v)]


def offers_for(application_id: int) -> list[VisitOffer]:
    return list(
        db.session.scalars(
            sa.select(VisitOffer).where(VisitOffer.application_id == application_id).order_by(VisitOffer.id)
        )
    )


def mentoring_person_times(since: date | None = None) -> int:
    """Each attendee of a filed visit record counts as one 创业辅导 person-time (for the dashboard)."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(VisitRecord.attendees), 0)).join(Visit)
    if since:
        stmt = stmt.where(Visit.day >= since)
    return int(db.session.scalar(stmt) or 0)


def rating_summary(mentor_id: int | None = None, visit_id: int | None = None) -> tuple[int, float]:
    """(number of ratings, average 1–5) of one visit or of all a mentor's visits."""
    query = sa.select(sa.func.count(VisitSignup.rating), sa.func.avg(VisitSignup.rating)).where(
        VisitSignup.rating.is_not(None)
    )
    if visit_id is not None:
        query = query.where(VisitSignup.visit_id == visit_id)
    if mentor_id is not None:
        query = query.join(Visit, Visit.id == VisitSignup.visit_id).where(Visit.mentor_id == mentor_id)
    n, average = db.session.execute(query).one()
    return n or 0, round(float(average or 0), 1)
