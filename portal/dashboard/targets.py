"""The year's targets: content/targets.yaml is the reviewed seed, what the office sets in the portal wins.

Also the plan's fourteen work items (content/work-items.yaml) and the validators `flask content load` runs on
both files.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from portal.content.models import get_rules
from portal.dashboard.models import CITY, Target
from portal.extensions import db

KEYS = ("new_entrepreneurs", "training", "mentoring", "loans")
MAX_VALUE = Decimal("999999999")


@dataclass(frozen=True)
class Goal:
    indicator: str
    value: Decimal
    source: str
    set_in_portal: bool
    demo: bool = False


def _number(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and 0 < number <= MAX_VALUE else None


def validate_targets(data) -> list[str]:
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        return ["targets.yaml 应包含 targets: [{year, indicator, value, unit, source}, ...]"]
    problems, seen = [], set()
    for n, entry in enumerate(data["targets"], start=1):
        if not isinstance(entry, dict):
            problems.append(f"第 {n} 条目标应为键值对")
            continue
        year, key = entry.get("year"), entry.get("indicator")
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            problems.append(f"第 {n} 条目标的 year 应为年份（2000–2100）")
        if key not in KEYS:
            problems.append(f"第 {n} 条目标的 indicator “{key}” 不是已定义的指标：{', '.join(KEYS)}")
        if _number(entry.get("value")) is None:
            problems.append(f"第 {n} 条目标的 value 应为正数")
        for field in ("unit", "source"):
            if not str(entry.get(field) or "").strip():
                problems.append(f"第 {n} 条目标缺少 {field}")
        counties = entry.get("counties") or {}
        if not isinstance(counties, dict) or any(_number(v) is None for v in counties.values()):
            problems.append(f"第 {n} 条目标的 counties 应为 {{县区名称: 正数}}")
        if (year, key) in seen:
            problems.append(f"{year} 年的 {key} 目标重复")
        seen.add((year, key))
    return problems


def validate_work_items(data) -> list[str]:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return ["work-items.yaml 应包含 items: [{number, section, title, units, counts}, ...]"]
    problems = []
    for n, item in enumerate(data["items"], start=1):
        if not isinstance(item, dict):
            problems.append(f"第 {n} 项工作应为键值对")
            continue
        for field in ("number", "section", "title", "section_en", "title_en"):
            if not item.get(field):
                problems.append(f"第 {n} 项工作缺少 {field}")
        for field in ("units", "counts"):
            if not isinstance(item.get(field, []), list):
                problems.append(f"第 {n} 项工作的 {field} 应为列表")
    return problems


def seed_targets(year: int) -> dict[str, dict]:
    """content/targets.yaml's entries for the year, by indicator."""
    entries = (get_rules("targets") or {}).get("targets") or []
    return {e["indicator"]: e for e in entries if e.get("year") == year}


def years_with_targets() -> list[int]:
    entries = (get_rules("targets") or {}).get("targets") or []
    portal_years = db.session.scalars(sa.select(Target.year).distinct())
    return sorted({e["year"] for e in entries} | set(portal_years), reverse=True)


def goals(year: int, county_code: str = CITY, county_name: str | None = None) -> dict[str, Goal]:
    """Each indicator's target for the city (or one county): the portal's if set, else the seed's."""
    return all_goals(year, [(county_code, county_name)])[county_code]


def all_goals(year: int, scopes: list[tuple[str, str | None]]) -> dict[str, dict[str, Goal]]:
    """Targets for several scopes at once — (county code or "" for the city, county name) — in two reads."""
    rows = db.session.scalars(sa.select(Target).where(Target.year == year))
    portal: dict[str, dict[str, Goal]] = {}
    for row in rows:
        portal.setdefault(row.county_code, {})[row.indicator] = Goal(
            row.indicator, row.value, row.source, True, row.demo
        )
    seed = seed_targets(year)
    found = {}
    for code, name in scopes:
        goals = dict(portal.get(code, {}))
        for key, entry in seed.items():
            if key in goals:
                continue
            value = entry["value"] if code == CITY else (entry.get("counties") or {}).get(name or "")
            if value is not None:
                goals[key] = Goal(key, Decimal(str(value)), entry["source"], False)
        found[code] = goals
    return found


def work_items() -> list[dict]:
    return list((get_rules("work_items") or {}).get("items") or [])
