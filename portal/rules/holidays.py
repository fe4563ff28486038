"""The holiday schedules entered at /admin/calendar: read for the work calendar, parsed from the form, exported.

`entered_years()` and `export_data()` give the schedules in content/holidays.yaml's format
(`{"years": {2027: {"source": …, "off": [...], "workdays": [...]}}}`), so the queues' calendar reads them the same
way as the file and `flask content export` can write them back as the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.core.guard import day_problem, parse_day
from portal.extensions import db
from portal.rules.models import HolidaySchedule

MAX_RANGE_DAYS = 31  # the longest holiday (Spring Festival) is 8 or 9 days; a month is surely a typing error
_RANGE = re.compile(r"^\s*(\S+?)\s*(?:至|到|~|～|--|—|–|\.\.)\s*(\S+)\s*$")
_SPLIT = re.compile(r"[\n,，;；、]+")


def _entry(row: HolidaySchedule) -> dict:
    return {
        "source": row.notice,
        "notice_date": row.notice_date.isoformat(),
        "off": sorted(row.off),
        "workdays": sorted(row.workdays),
    }


def schedules() -> list[HolidaySchedule]:
    return list(db.session.scalars(sa.select(HolidaySchedule).order_by(HolidaySchedule.year)))


def entered_years() -> dict:
    """The portal's schedules in holidays.yaml's format (what the work calendar merges over the file)."""
    return {"years": {row.year: _entry(row) for row in schedules()}}


def export_data() -> dict:
    """What `flask content export` writes as content/holidays.yaml: the portal's schedules (which win over the file)."""
    return entered_years()


def _day(text: str, year: int, errors: list[str]) -> date | None:
    day = parse_day(text)
    if day is None:
        errors.append(_("“%(text)s”：%(problem)s", text=text[:20], problem=day_problem(text)))
        return None
    if day.year != year:
        errors.append(_("%(day)s 不在 %(year)s 年。", day=day.isoformat(), year=year))
        return None
    return day


def parse_days(text: str, year: int) -> tuple[set[date], list[str]]:
    """Dates and ranges ("2027-02-10 至 2027-02-16"), one a line or separated by commas; every one in `year`."""
    days: set[date] = set()
    errors: list[str] = []
    for part in _SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if not match:
            day = _day(part, year, errors)
            days.update([day] if day else [])
            continue
        first, last = _day(match.group(1), year, errors), _day(match.group(2), year, errors)
        if first is None or last is None:
            continue
        if last < first or (last - first).days >= MAX_RANGE_DAYS:
            errors.append(
                _("“%(text)s”：起止日期不对（结束不能早于开始，最长 %(n)s 天）。", text=part[:40], n=MAX_RANGE_DAYS)
            )
            continue
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days, errors


@dataclass
class Schedule:
    year: int
    off: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # form field -> message


def check_schedule(year: int, off_text: str, workdays_text: str) -> Schedule:
    """The form's dates, with a message per field for anything wrong."""
    schedule = Schedule(year)
    schedule.off, off_errors = parse_days(off_text, year)
    schedule.workdays, work_errors = parse_days(workdays_text, year)
    if not off_errors and not schedule.off:
        off_errors.append(_("请填写放假日期。"))
    weekdays = sorted(d for d in schedule.workdays if d.weekday() < 5)
    if weekdays:
        work_errors.append(
            _(
                "调休上班日应是周六或周日；%(days)s 本来就是工作日。",
                days="、".join(d.isoformat() for d in weekdays[:5]),
            )
        )
    both = sorted(schedule.off & schedule.workdays)
    if both:
        work_errors.append(_("%(days)s 不能既放假又上班。", days="、".join(d.isoformat() for d in both[:5])))
    if off_errors:
        schedule.errors["off"] = " ".join(off_errors[:3])
    if work_errors:
        schedule.errors["workdays"] = " ".join(work_errors[:3])
    return schedule
