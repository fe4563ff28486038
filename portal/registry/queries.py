"""Reading registrations: one's own, a unit's queue, one record, duplicates, and the counts the dashboard uses."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalog.models import County, Unit
from portal.core.access import require
from portal.errors import NotFound
from portal.extensions import db
from portal.registry.models import Registration, RegistrationImport
from portal.registry.states import CONFIRMED, LIVE, NEEDS_PROOF, SUBMITTED

QUEUE_LIMIT = 200


def confirmed_counts(year: int) -> list[tuple[int | None, int, int, int]]:
    """(county_id, month 1–12, confirmed registrations, jobs) for the businesses registered in `year`.

    The registration date counts, not the confirmation date: a business registered in December and confirmed
    in January counts for December. One GROUP BY on the (status, registered_on) index."""
    month = sa.extract("month", Registration.registered_on)
    stmt = (
        sa.select(
            Registration.county_id,
            month.label("month"),
            sa.func.count(Registration.id),
            sa.func.coalesce(sa.func.sum(Registration.jobs), 0),
        )
        .where(
            Registration.status == CONFIRMED,
            Registration.registered_on.between(date(year, 1, 1), date(year, 12, 31)),
        )
        .group_by(Registration.county_id, month)
        .order_by(Registration.county_id, month)
    )
    return [(county_id, int(m), int(n), int(jobs)) for county_id, m, n, jobs in db.session.execute(stmt)]


def demo_rows_exist() -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Registration.demo))) or False


def mine(user: User) -> list[Registration]:
    require(user, "registration.register")
    stmt = sa.select(Registration).where(Registration.owner_id == user.id).order_by(Registration.id.desc())
    return list(db.session.scalars(stmt))


def own(user: User, registration_id: int) -> Registration:
    return require(user, "registration.own", db.session.get(Registration, registration_id))


def for_staff(user: User, registration_id: int) -> Registration:
    require(user, "registration.queue")
    return require(user, "registration.view", db.session.get(Registration, registration_id))


def handled(user: User, registration_id: int) -> Registration:
    """A record the user's unit handles (for its actions); anything else: 404."""
    return require(user, "registration.handle", db.session.get(Registration, registration_id))


def queue(user: User, status: str | None = None) -> tuple[list[Registration], int]:
    """The unit's records (every unit's for the office), those waiting for someone first; and how many there are."""
    require(user, "registration.queue")
    where = []
    if user.role == "staff":
        where.append(Registration.unit_id == user.unit_id)
    if status:
        where.append(Registration.status == status)
    waiting = sa.case((Registration.status.in_((SUBMITTED, NEEDS_PROOF)), 0), else_=1)
    stmt = sa.select(Registration).where(*where).order_by(waiting, Registration.id.desc()).limit(QUEUE_LIMIT)
    total = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(*where)) or 0
    return list(db.session.scalars(stmt)), total


def holder(uscc: str, exclude_id: int | None = None) -> Registration | None:
    """The live record (not rejected or withdrawn) that already holds this USCC."""
    stmt = sa.select(Registration).where(Registration.uscc == uscc, Registration.status.in_(LIVE))
    if exclude_id is not None:
        stmt = stmt.where(Registration.id != exclude_id)
    return db.session.scalar(stmt.limit(1))


def holders(usccs: list[str]) -> dict[str, str]:
    """USCC -> the name of the county of the live record holding it, for a whole spreadsheet at once."""
    if not usccs:
        return {}
    stmt = (
        sa.select(Registration.uscc, County.name)
        .join(County, County.id == Registration.county_id)
        .where(Registration.uscc.in_(usccs), Registration.status.in_(LIVE))
    )
    return dict(db.session.execute(stmt).all())


def counties_by_key() -> dict[str, County]:
    """Every county by its code and by its Chinese name (what a form posts and what a spreadsheet holds)."""
    counties = db.session.scalars(sa.select(County)).all()
    return {**{c.code: c for c in counties}, **{c.name: c for c in counties}}


def all_counties() -> list[County]:
    return list(db.session.scalars(sa.select(County).order_by(County.sort, County.code)))


def unit_for_county(county: County) -> Unit:
    """The county's 人社局, or the city's where the county has none (the functional zones)."""
    unit = db.session.scalar(
        sa.select(Unit).where(Unit.dept == "hrss", Unit.county_id == county.id).order_by(Unit.id).limit(1)
    )
    if unit is None:
        unit = db.session.scalar(sa.select(Unit).where(Unit.code == "city-hrss"))
    if unit is None:
        raise NotFound()
    return unit


def counties_of_unit(unit_id: int) -> list[County]:
    """The counties whose records go to this unit (staff register and import only for these)."""
    return [c for c in all_counties() if unit_for_county(c).id == unit_id]


def account_for_phone(phone: str | None) -> User | None:
    """The applicant account with this mobile, to link a record to (the person then sees it)."""
    if not phone:
        return None
    return db.session.scalar(sa.select(User).where(User.phone == phone, User.role == "applicant"))


def pending_import(user: User, token: str) -> RegistrationImport:
    found = db.session.scalar(
        sa.select(RegistrationImport).where(RegistrationImport.token == token, RegistrationImport.user_id == user.id)
    )
    if found is None:
        raise NotFound()
    return found


def owner_ids_in_county(county_code: str | None) -> sa.Select:
    """The accounts owning a live registration (not rejected or withdrawn) in the county: an SQL select of user
    ids, for audiences that other areas address (a needs survey sent to one county's entrepreneurs)."""
    return (
        sa.select(Registration.owner_id)
        .join(County, County.id == Registration.county_id)
        .where(County.code == county_code, Registration.owner_id.is_not(None), Registration.status.in_(LIVE))
    )
