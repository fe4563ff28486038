"""Working days under the Chinese public-holiday calendar, including make-up working days (调休).

chinese-calendar knows the State Council's schedule for the years it was released with; content/holidays.yaml
may add later years. A year known to neither counts weekends only, and `uncovered_years` says so.
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


class WorkCalendar:
    def __init__(self, holiday_rules: dict | None = None):
        self.extra = _extra(holiday_rules)

    def covered(self, year: int) -> bool:
        return _library_covers(year) or year in self.extra

    def is_workday(self, day: date) -> bool:
        if _library_covers(day.year):
            return chinese_calendar.is_workday(day)
        spec = self.extra.get(day.year)
        if spec:
            if day in spec["workdays"]:
                return True
            if day in spec["off"]:
                return False
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
