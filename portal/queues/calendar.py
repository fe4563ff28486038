"""Working days under the Chinese public-holiday calendar, including make-up working days (调休).

Three sources, for each year the first that has it: a schedule an administrator entered in the portal
(/admin/calendar, the `holiday_schedule` table), content/holidays.yaml (the reviewable seed), then chinese-calendar's
data for the years it was released with. A year known to none counts weekends only, and `uncovered_years` says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


def _extra(rules: dict | None) -> dict[int, dict[str, set[date]]]:
    years = {}
    for year, spec in ((rules or {}).get("years") or {}).items():
        years[int(year)] = {
            "off": {date.fromisoformat(str(d)) for d in spec.get("off", [])},
            "workdays": {date.fromisoformat(str(d)) for d in spec.get("workdays", [])},
        }
    return years


@lru_cache(maxsize=64)
def _library_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


PORTAL, FILE, LIBRARY = "portal", "file", "library"


class WorkCalendar:
    def __init__(self, holiday_rules: dict | None = None, entered: dict | None = None):
        """`holiday_rules`: content/holidays.yaml as loaded; `entered`: the portal's schedules, same format."""
        file_years, portal_years = _extra(holiday_rules), _extra(entered)
        self.extra = {**file_years, **portal_years}
        self.origin = {**dict.fromkeys(file_years, FILE), **dict.fromkeys(portal_years, PORTAL)}

    def source(self, year: int) -> str | None:
        """Where the year's schedule comes from: PORTAL, FILE, LIBRARY, or None (weekends only)."""
        if year in self.origin:
            return self.origin[year]
        return LIBRARY if _library_covers(year) else None

    def covered(self, year: int) -> bool:
        return self.source(year) is not None

    def is_workday(self, day: date) -> bool:
        spec = self.extra.get(day.year)
        if spec is not None:
            if day in spec["workdays"]:
                return True
            if day in spec["off"]:
                return False
            return day.weekday() < 5
        if _library_covers(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (the day of submission itself does not count)."""
        current = start
        counted = 0
        while counted < days:
            current += timedelta(days=1)
            if self.is_workday(current):
                counted += 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_workday(current):
                count += 1
        return count

    def uncovered_years(self, *days: date) -> list[int]:
        return sorted({d.year for d in days if not self.covered(d.year)})


def validate_holidays(data) -> list[str]:
    if not isinstance(data, dict) or not isinstance(data.get("years", {}), dict):
        return ["holidays.yaml 应包含 years: {年份: {off: [...], workdays: [...]}}"]
    problems = []
    for year, spec in (data.get("years") or {}).items():
        if not isinstance(spec, dict):
            problems.append(f"{year} 年的安排应为键值对")
            continue
        if not spec.get("source"):
            problems.append(f"{year} 年请写明国务院办公厅通知的文号 source")
        for key in ("off", "workdays"):
            for value in spec.get(key, []) or []:
                try:
                    day = date.fromisoformat(str(value))
                except ValueError:
                    problems.append(f"{year} 年 {key} 里的 “{value}” 不是日期")
                    continue
                if day.year != int(year):
                    problems.append(f"{value} 不在 {year} 年")
    return problems
