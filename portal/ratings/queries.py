"""Reading ratings: one application's, a unit's list, the office's tables (per unit, county, month) and the
anonymised public summary of a unit (only from `RATINGS_PUBLIC_MIN` ratings on)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from portal.catalog.models import County, Unit
from portal.extensions import db
from portal.ratings.models import FollowUp, Rating
from portal.ratings.states import OPEN, RESOLVED, UNRESOLVED
from portal.ratings.vocab import LEVELS

LIST_LIMIT = 100


@dataclass
class Summary:
    key: object = None  # a Unit, a County (None: city level) or a month string
    n: int = 0
    levels: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    follow_ups: int = 0
    open_follow_ups: int = 0
    resolved: int = 0
    unresolved: int = 0

    @property
    def satisfied(self) -> int:
        """满意率: the share rating 基本满意 or better, in percent."""
        return round(100 * sum(self.levels[v] for v in (3, 4, 5)) / self.n) if self.n else 0


def public_min() -> int:
    return current_app.config.get("RATINGS_PUBLIC_MIN", 5)


def of_application(application_id: int) -> Rating | None:
    return db.session.scalar(sa.select(Rating).where(Rating.application_id == application_id))


def for_unit(unit_id: int, limit: int = LIST_LIMIT) -> list[Rating]:
    return list(
        db.session.scalars(sa.select(Rating).where(Rating.unit_id == unit_id).order_by(Rating.id.desc()).limit(limit))
    )


def open_follow_ups(unit_id: int) -> list[FollowUp]:
    return list(
        db.session.scalars(
            sa.select(FollowUp)
            .where(FollowUp.unit_id == unit_id, FollowUp.status == OPEN)
            .order_by(FollowUp.due_date, FollowUp.id)
        )
    )


def _grouped(column, where=None) -> dict[object, Summary]:
    query = (
        sa.select(
            column,
            Rating.level,
            sa.func.count(Rating.id),
            sa.func.count(FollowUp.id),
            sa.func.sum(sa.case((FollowUp.status == OPEN, 1), else_=0)),
            sa.func.sum(sa.case((FollowUp.status == RESOLVED, 1), else_=0)),
            sa.func.sum(sa.case((FollowUp.status == UNRESOLVED, 1), else_=0)),
        )
        .outerjoin(FollowUp, FollowUp.rating_id == Rating.id)
        .group_by(column, Rating.level)
    )
    if where is not None:
        query = query.where(where)
    found: dict[object, Summary] = {}
    for key, level, n, follow_ups, still_open, resolved, unresolved in db.session.execute(query):
        summary = found.setdefault(key, Summary(key=key))
        summary.n += n
        summary.levels[level] += n
        summary.follow_ups += follow_ups
        summary.open_follow_ups += still_open or 0
        summary.resolved += resolved or 0
        summary.unresolved += unresolved or 0
    return found


def unit_summary(unit_id: int) -> Summary:
    return _grouped(Rating.unit_id, Rating.unit_id == unit_id).get(unit_id) or Summary()


def office_table(by: str, month: str | None = None) -> list[Summary]:
    """Per unit, per county or per month; optionally for one month."""
    where = Rating.month == month if month else None
    if by == "month":
        return sorted(_grouped(Rating.month, where).values(), key=lambda s: s.key, reverse=True)
    if by == "county":
        rows = _grouped(Rating.county_id, where)
        counties = {c.id: c for c in db.session.scalars(sa.select(County).where(County.id.in_(rows)))}
        for summary in rows.values():
            summary.key = counties.get(summary.key)
        return sorted(rows.values(), key=lambda s: (s.key is not None, getattr(s.key, "sort", 0)))
    rows = _grouped(Rating.unit_id, where)
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_([k for k in rows if k])))}
    for summary in rows.values():
        summary.key = units.get(summary.key)
    return sorted(rows.values(), key=lambda s: -s.n)


def months() -> list[str]:
    return list(db.session.scalars(sa.select(Rating.month).distinct().order_by(Rating.month.desc()).limit(36)))


def public_summary(unit_id: int) -> tuple[Summary, list[Rating]] | None:
    """What the unit's public page shows: only with enough ratings; comments and answers without any name."""
    summary = unit_summary(unit_id)
    if summary.n < public_min():
        return None
    recent = list(
        db.session.scalars(
            sa.select(Rating)
            .where(Rating.unit_id == unit_id, Rating.comment.is_not(None))
            .order_by(Rating.id.desc())
            .limit(5)
        )
    )
    return summary, recent
