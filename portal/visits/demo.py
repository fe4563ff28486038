"""Sample visits for a development server (`flask visits demo`, called by `make run`): a newcomer sees the
feature working. Each one is marked `sample` (示例数据 on every page); production never runs this."""

from __future__ import annotations

from datetime import time, timedelta

import sqlalchemy as sa

from portal.catalog.models import Mentor, Park, Unit
from portal.db import utcnow
from portal.extensions import db
from portal.routing.rules import unit_for
from portal.visits import booking
from portal.visits.booking import VisitInput
from portal.visits.models import Visit
from portal.visits.queries import local_now
from portal.visits.states import VISIT

DAYS_AHEAD = (7, 12, 20)
NOTE = "示例数据（flask visits demo）"


def _mentor_for(park: Park, mentors: list[Mentor], used: set[int]) -> Mentor | None:
    serving = [m for m in mentors if m.id not in used and (m.citywide or park.county_id in {c.id for c in m.counties})]
    return serving[0] if serving else None


def make_demo_visits() -> int:
    """Three upcoming confirmed visits of sample mentors to sample parks; none when upcoming samples exist."""
    today = local_now().date()
    if db.session.scalar(sa.select(sa.func.count()).where(Visit.sample, Visit.day >= today)):
        return 0
    mentors = list(
        db.session.scalars(sa.select(Mentor).where(Mentor.sample, Mentor.accepts_visits).order_by(Mentor.slug))
    )
    parks = list(db.session.scalars(sa.select(Park).where(Park.sample).order_by(Park.slug)))
    codes = set(db.session.scalars(sa.select(Unit.code)))
    made, used = 0, set()
    for park in parks:
        mentor = _mentor_for(park, mentors, used)
        if mentor is None:
            continue
        day = today + timedelta(days=DAYS_AHEAD[made])
        topics = mentor.expertise[:2] or ["other"]
        data = VisitInput("park", place_slug=park.slug, day=day, start=time(9), end=time(11, 30), topics=topics)
        data.capacity = 20
        county, place = booking.validate(data)
        unit = db.session.scalar(
            sa.select(Unit).where(Unit.code == (unit_for("hrss", county.code, codes) or "city-hrss"))
        )
        visit = Visit(
            mentor_id=mentor.id, county_id=county.id, day=day, start_time=data.start, end_time=data.end,
            capacity=data.capacity, status=VISIT.initial, confirm_unit_id=unit.id,
            sample=True, **place,
        )  # fmt: skip
        db.session.add(visit)
        db.session.flush()
        VISIT.apply(visit, "confirm", None, values={"decided_at": utcnow(), "decision_note": NOTE})
        used.add(mentor.id)
        made += 1
        if made == len(DAYS_AHEAD):
            break
    return made
