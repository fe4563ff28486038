"""The plan's indicators, each defined once: what it is called, its unit, and how the portal counts it.

Every count returns rows `(county_id, month, value)` for one calendar year in Beijing time, so the office
dashboard, the per-county table, the monthly trends, the XLSX export and the public statistics all add up the
same rows. Off-line figures (a county's monthly return) are not here: they are kept apart (`queries`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.applications.models import Application
from portal.applications.states import APPROVED
from portal.extensions import db
from portal.registry.queries import confirmed_counts
from portal.visits.models import Visit, VisitOffer, VisitRecord

BEIJING = ZoneInfo("Asia/Shanghai")

Row = tuple[int | None, int, Decimal]  # county_id, month 1–12, value


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    unit: object
    how: object  # how it is counted, shown on the dashboard under the figure
    count: Callable[[int], list[Row]]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year's first and last instants in Beijing time, as UTC (timestamps are stored in UTC)."""
    start = datetime.combine(date(year, 1, 1), time(), BEIJING).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(), BEIJING).astimezone(UTC)
    return start, end


def local_month(column) -> sa.ColumnElement:
    """The month (1–12) of a UTC timestamp column in Beijing time, on PostgreSQL and SQLite alike."""
    if db.engine.dialect.name == "postgresql":
        return sa.cast(sa.extract("month", sa.func.timezone("Asia/Shanghai", column)), sa.Integer)
    return sa.cast(sa.func.strftime("%m", column, "+8 hours"), sa.Integer)


def _rows(stmt) -> list[Row]:
    return [(county, int(month), Decimal(value or 0)) for county, month, value in db.session.execute(stmt)]


def _decided(kind: str, year: int, value) -> sa.Select:
    start, end = year_bounds(year)
    month = local_month(Application.decided_at)
    return (
        sa.select(Application.county_id, month, value)
        .where(
            Application.state == APPROVED,
            Application.type == kind,
            Application.decided_at >= start,
            Application.decided_at < end,
        )
        .group_by(Application.county_id, month)
    )


def count_new_entrepreneurs(year: int) -> list[Row]:
    """Confirmed registrations whose business was registered in the year (confirmation date does not matter)."""
    return [(county, month, Decimal(n)) for county, month, n, _jobs in confirmed_counts(year)]


def count_training(year: int) -> list[Row]:
    """Approved training applications the training unit marked attended, by the day attended."""
    month = sa.extract("month", Application.attended_on)
    stmt = (
        sa.select(Application.county_id, month, sa.func.count())
        .where(
            Application.type == "training",
            Application.state == APPROVED,
            Application.attended_on >= date(year, 1, 1),
            Application.attended_on < date(year + 1, 1, 1),
        )
        .group_by(Application.county_id, month)
    )
    return _rows(stmt)


def count_mentoring(year: int) -> list[Row]:
    """Attendees of filed 创业导师乡村行 records by visit day, plus approved one-to-one mentoring applications.

    An application approved because its applicant accepted a seat on a visit is not counted twice: that person is
    among the visit's attendees.
    """
    month = sa.extract("month", Visit.day)
    visits = (
        sa.select(Visit.county_id, month, sa.func.sum(VisitRecord.attendees))
        .join(VisitRecord, VisitRecord.visit_id == Visit.id)
        .where(Visit.day >= date(year, 1, 1), Visit.day < date(year + 1, 1, 1))
        .group_by(Visit.county_id, month)
    )
    seated = sa.select(VisitOffer.id).where(
        VisitOffer.application_id == Application.id, VisitOffer.status == "accepted"
    )
    one_to_one = _decided("mentoring", year, sa.func.count()).where(~sa.exists(seated))
    return _rows(visits) + _rows(one_to_one)


def count_loans(year: int) -> list[Row]:
    """Approved guarantee-loan amounts in 万元, by the day of approval (amounts actually lent are not recorded yet)."""
    return _rows(_decided("loan", year, sa.func.sum(Application.amount_wan)))


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "new_entrepreneurs",
        _l("新增返乡创业"),
        _l("人"),
        _l("经县（市、区）人社部门确认的返乡创业登记，按经营主体登记日期计入当年"),
        count_new_entrepreneurs,
    ),
    Indicator(
        "training",
        _l("返乡创业培训"),
        _l("人次"),
        _l("已批准且培训单位登记已参训的创业培训申请，按参训日期计"),
        count_training,
    ),
    Indicator(
        "mentoring",
        _l("创业辅导"),
        _l("人次"),
        _l("创业导师乡村行服务记录中的参加人次，加上已办结的一对一创业辅导申请"),
        count_mentoring,
    ),
    Indicator(
        "loans",
        _l("创业担保贷款"),
        _l("万元"),
        _l("已批准的创业担保贷款申请金额，按批准日期计"),
        count_loans,
    ),
)

BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
