"""Reading presented projects: the public list and page, one's own, the unit's review list, shortlists,
recommendations and their export rows."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.catalog import services as catalog
from portal.catalog.models import County, Project, Unit
from portal.catalog.vocab import INDUSTRIES
from portal.core.access import require
from portal.core.listing import Filter, Listing
from portal.errors import NotFound
from portal.events import queries as events
from portal.extensions import db
from portal.registry.queries import unit_for_county  # the county's 人社局 (the city's for a zone without one)
from portal.ventures.models import Recommendation, Shortlist, ShortlistEntry, Venture, VentureSeek
from portal.ventures.states import PUBLISHED, SUBMITTED
from portal.ventures.vocab import SEEKS

STAFF_LIMIT = 200

__all__ = ["unit_for_county"]


def _vocab_filter(name: str, table: dict, label, apply) -> Filter:
    def resolve(raw: str):
        if raw in table:
            return raw
        return next((code for code, text in table.items() if str(text) == raw), None)

    return Filter(
        name=name,
        label=label,
        choices=lambda: [(code, str(text)) for code, text in table.items()],
        resolve=resolve,
        apply=apply,
    )


def _seeks_apply(stmt, code: str):
    row = sa.select(sa.literal(1)).where(VentureSeek.venture_id == Venture.id, VentureSeek.code == code)
    return stmt.where(row.exists())


LISTING = Listing(
    kind="ventures",
    model=Venture,
    filters=[
        catalog.county_filter(Venture),
        _vocab_filter("industry", INDUSTRIES, _l("行业"), lambda stmt, code: stmt.where(Venture.industry == code)),
        _vocab_filter("seeks", SEEKS, _l("需要的支持"), _seeks_apply),
    ],
    order_by=lambda: [Venture.published_at.desc(), Venture.id.desc()],
    options=lambda: [selectinload(Venture.county), selectinload(Venture.seek_rows)],
    where=lambda: [Venture.status == PUBLISHED],
)


def all_counties() -> list[County]:
    return catalog.all_counties()


def counties_by_key() -> dict[str, County]:
    counties = catalog.all_counties()
    return {**{c.code: c for c in counties}, **{c.name: c for c in counties}}


def get(venture_id: int) -> Venture | None:
    return db.session.get(Venture, venture_id)


def viewable(user, venture_id: int) -> Venture:
    """A project the user may see (published: anyone); anything else answers 404."""
    return require(user, "venture.view", get(venture_id))


def own(user, venture_id: int) -> Venture:
    return require(user, "venture.own", get(venture_id))


def mine(user: User) -> list[Venture]:
    require(user, "venture.present")
    stmt = sa.select(Venture).where(Venture.owner_id == user.id).order_by(Venture.id.desc())
    return list(db.session.scalars(stmt))


def for_staff(user: User, venture_id: int) -> Venture:
    require(user, "venture.staff")
    return require(user, "venture.view", get(venture_id))


def published_for_project(project: Project) -> Venture | None:
    """The published project page of a demonstration project, when it has one (the catalog page links to it)."""
    stmt = (
        sa.select(Venture)
        .where(Venture.catalog_project_id == project.id, Venture.status == PUBLISHED)
        .order_by(Venture.published_at.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def review_list(user: User) -> tuple[list[Venture], list[Venture]]:
    """(waiting for this unit's review, published) — every unit's for the office and administrators."""
    require(user, "venture.staff")
    where = [Venture.unit_id == user.unit_id] if user.role == "staff" else []
    waiting = sa.select(Venture).where(Venture.status == SUBMITTED, *where).order_by(Venture.submitted_at)
    published = (
        sa.select(Venture)
        .where(Venture.status == PUBLISHED)
        .order_by(Venture.published_at.desc())
        .limit(STAFF_LIMIT)
        .options(selectinload(Venture.county))
    )
    return list(db.session.scalars(waiting.limit(STAFF_LIMIT))), list(db.session.scalars(published))


def catalog_projects_in(county_id: int) -> list[Project]:
    stmt = sa.select(Project).where(Project.county_id == county_id, Project.visible.is_(True)).order_by(Project.name)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- shortlists


def shortlists(user: User) -> list[Shortlist]:
    require(user, "venture.staff")
    stmt = sa.select(Shortlist).order_by(Shortlist.event_on.desc().nulls_last(), Shortlist.id.desc())
    if user.role == "staff":
        stmt = stmt.where(Shortlist.unit_id == user.unit_id)
    return list(db.session.scalars(stmt.limit(STAFF_LIMIT).options(selectinload(Shortlist.entries))))


def shortlist(user: User, shortlist_id: int) -> Shortlist:
    require(user, "venture.staff")
    return require(user, "venture.shortlist_view", db.session.get(Shortlist, shortlist_id))


def shortlists_of(user: User, venture: Venture) -> list[Shortlist]:
    """The user's unit's shortlists that hold this project."""
    if user.role != "staff":
        return []
    stmt = (
        sa.select(Shortlist)
        .join(ShortlistEntry, ShortlistEntry.shortlist_id == Shortlist.id)
        .where(ShortlistEntry.venture_id == venture.id, Shortlist.unit_id == user.unit_id)
    )
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- recommendations to the fund


def recommendations_of(venture: Venture) -> list[Recommendation]:
    stmt = sa.select(Recommendation).where(Recommendation.venture_id == venture.id).order_by(Recommendation.id)
    return list(db.session.scalars(stmt))


def open_recommendation(venture_id: int, fund: str, open_states) -> Recommendation | None:
    stmt = sa.select(Recommendation).where(
        Recommendation.venture_id == venture_id, Recommendation.fund == fund, Recommendation.status.in_(open_states)
    )
    return db.session.scalar(stmt.limit(1))


def recommendation(user: User, recommendation_id: int) -> Recommendation:
    return require(user, "venture.recommend", db.session.get(Recommendation, recommendation_id))


def recommendations(user: User, fund: str | None = None) -> list[Recommendation]:
    """The unit's recommendations (every unit's for the office and administrators), oldest first: the export's
    序号 follow the order they were made."""
    require(user, "venture.staff")
    stmt = (
        sa.select(Recommendation)
        .options(
            selectinload(Recommendation.venture).selectinload(Venture.county),
            selectinload(Recommendation.unit),
        )
        .order_by(Recommendation.recommended_on, Recommendation.id)
    )
    if user.role == "staff":
        stmt = stmt.where(Recommendation.unit_id == user.unit_id)
    if fund:
        stmt = stmt.where(Recommendation.fund == fund)
    return list(db.session.scalars(stmt))


def unit(unit_id: int) -> Unit:
    found = db.session.get(Unit, unit_id)
    if found is None:
        raise NotFound()
    return found


def pitch_event_choices(user: User) -> list[tuple[str, str]]:
    """The staff member's unit's 路演, 投资对接会 and 销售对接会 not yet over, for a shortlist: (id, "title（day）")."""
    return [
        (str(e.id), f"{e.title}（{events.to_local(e.starts_at):%Y-%m-%d}）") for e in events.pitch_events(user.unit_id)
    ]


def pitch_event(user: User, event_id: int):
    """One of those events, or None."""
    return next((e for e in events.pitch_events(user.unit_id) if e.id == event_id), None)
