"""Reads for the rules pages: the calendar's years and their sources, the routing rules as a table with the
work-plan item each cites, the routing changes (drafts, history)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.catalog import vocab
from portal.content.models import get_rules
from portal.core.i18n import is_chinese
from portal.extensions import db
from portal.queues import queries as queue_queries
from portal.rules.models import HolidaySchedule, RoutingChange
from portal.rules.states import DRAFT, PUBLISHED

YEARS_SHOWN = 3  # this year and the next two


@dataclass
class YearRow:
    year: int
    source: str | None  # calendar.PORTAL, FILE, LIBRARY or None
    entry: HolidaySchedule | None
    file_source: str | None  # the notice named in content/holidays.yaml, if the file has the year


def calendar_years() -> list[YearRow]:
    cal = queue_queries.calendar()
    first = queue_queries.today().year
    file_years = {int(y): spec for y, spec in ((get_rules("holidays") or {}).get("years") or {}).items()}
    rows = []
    for year in range(first, first + YEARS_SHOWN):
        spec = file_years.get(year) or {}
        rows.append(YearRow(year, cal.source(year), db.session.get(HolidaySchedule, year), spec.get("source")))
    return rows


def schedule(year: int) -> HolidaySchedule | None:
    return db.session.get(HolidaySchedule, year)


def work_items() -> dict[int, dict]:
    return {int(i["number"]): i for i in (get_rules("work_items") or {}).get("items") or [] if "number" in i}


CONDITION_VOCAB = {
    "course": (_l("培训项目"), vocab.COURSE_TYPES),
    "topic": (_l("辅导方向"), vocab.EXPERTISE),
    "collateral": (_l("抵押物"), vocab.COLLATERAL),
    "applicant_type": (_l("申请人类型"), vocab.APPLICANT_TYPES),
}


def condition_text(when: dict | None) -> list[str]:
    """A rule's conditions as a reader says them: "抵押物：林权抵押"."""
    lines = []
    for key, wanted in (when or {}).items():
        if key == "amount_min_wan":
            lines.append(_("贷款金额不少于 %(n)s 万元", n=wanted))
            continue
        name, table = CONDITION_VOCAB.get(key, (key, {}))
        values = wanted if isinstance(wanted, list) else [wanted]
        joined = ("、" if is_chinese() else ", ").join(vocab.label(table, str(v)) for v in values)
        lines.append(_("%(label)s：%(message)s", label=name, message=joined))
    return lines


def rules_table() -> list[dict]:
    """The rules in force, each with its conditions in words and the work-plan item it cites."""
    items = work_items()
    return [
        {**rule, "conditions": condition_text(rule.get("when")), "work_item": items.get(rule.get("item"))}
        for rule in get_rules("routing").get("rules", [])
    ]


def last_published() -> RoutingChange | None:
    return db.session.scalar(
        sa.select(RoutingChange).where(RoutingChange.status == PUBLISHED).order_by(RoutingChange.id.desc()).limit(1)
    )


def drafts() -> list[RoutingChange]:
    return list(
        db.session.scalars(sa.select(RoutingChange).where(RoutingChange.status == DRAFT).order_by(RoutingChange.id))
    )


def history(limit: int = 50) -> list[RoutingChange]:
    """Published, rejected and withdrawn changes, newest first."""
    stmt = sa.select(RoutingChange).where(RoutingChange.status != DRAFT).order_by(RoutingChange.id.desc())
    return list(db.session.scalars(stmt.limit(limit)))


def change(change_id: int) -> RoutingChange | None:
    return db.session.get(RoutingChange, change_id)
