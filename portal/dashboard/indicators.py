"""The plan's indicators, each defined once: what it is called, its unit, and how the portal counts it.

Every count returns rows `(county_id, month, value)` for one calendar year in Beijing time, so the office
dashboard, the per-county table, the monthly trends, the XLSX export and the public statistics all add up the
same rows. The counts read the counters `dashboard.counting` keeps with every change (and computes again from the
source rows for `flask counts check`). Off-line figures (a county's monthly return) are not here: they are kept
apart (`queries`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from portal.core import tally

Row = tuple[int | None, int, Decimal]  # county_id, month 1–12, value


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    unit: object
    how: object  # how it is counted, shown on the dashboard under the figure
    count: Callable[[int], list[Row]]
    whole: bool = True  # people and person-times are whole numbers; 万元 may have cents


def tallied(measure: str, year: int, kind: str | None = None, use_amount: bool = False) -> list[Row]:
    """A measure kept by `dashboard.counting` for one year: rows (county_id or None, month, n or amount)."""
    rows = tally.read(measure, date(year, 1, 1), date(year + 1, 1, 1), "county_id", "day", "kind")
    return [
        (county or None, day.month, amount if use_amount else Decimal(n))
        for county, day, row_kind, n, amount in rows
        if kind is None or row_kind == kind
    ]


def count_new_entrepreneurs(year: int) -> list[Row]:
    """Confirmed registrations whose business was registered in the year (confirmation date does not matter)."""
    return tallied("registration", year)


def count_training(year: int) -> list[Row]:
    """Approved training applications the training unit marked attended, by the day attended, plus the people
    checked in at the door of a 培训班 event (events), by the month it started."""
    return tallied("attended", year) + tallied("event_training", year)


def count_mentoring(year: int) -> list[Row]:
    """Attendees of filed 创业导师乡村行 records by visit day, plus approved one-to-one mentoring applications.

    An application approved because its applicant accepted a seat on a visit is not counted twice: that person is
    among the visit's attendees.
    """
    return tallied("visit_attendees", year) + tallied("one_to_one", year)


def count_loans(year: int) -> list[Row]:
    """Approved guarantee-loan amounts in 万元, by the day of approval (amounts actually lent are not recorded yet)."""
    return tallied("decided", year, kind="loan:approved", use_amount=True)


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
        _l("已批准且培训单位登记已参训的创业培训申请，按参训日期计；加上创业培训班活动现场签到的人次，按开班月份计"),
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
        whole=False,
    ),
)

BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
