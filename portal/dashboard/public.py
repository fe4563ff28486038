"""Public statistics (/stats/ and /api/v1/stats): what the portal received and decided, how fast and how well,
and the plan's indicators, by type and county. No personal data.

Small counts are suppressed in every cut: a count of 1–4 is shown as "<5", and where a row, a column or a total
would let the hidden cell be found by subtraction, the next smallest cell is hidden as well (secondary
suppression). An amount or an average is hidden wherever its count is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.applications.models import Application
from portal.applications.states import APPROVED, REJECTED
from portal.catalog.models import County
from portal.catalog.vocab import APPLICATION_TYPES
from portal.core.i18n import local_name
from portal.dashboard import charts
from portal.dashboard import indicators as ind
from portal.dashboard.queries import Board, counted_rows, counties, has_demo_data
from portal.extensions import db
from portal.ratings.models import Rating

THRESHOLD = 5
HIDDEN = "<5"
OTHER = "none"  # the row of applications without a county


@dataclass
class Cut:
    """A table of counts: rows × columns, with row, column and grand totals, suppressed for publication."""

    rows: list[tuple[str, str]]  # (county code, label)
    cols: list[tuple[str, str]]
    cells: dict[tuple[int, str], int] = field(default_factory=dict)
    hidden: set = field(default_factory=set)  # (row, col), (row, None), (None, col), (None, None)

    def value(self, row, col) -> int:
        if row is None and col is None:
            return sum(self.cells.values())
        if row is None:
            return sum(v for (r, c), v in self.cells.items() if c == col)
        if col is None:
            return sum(v for (r, c), v in self.cells.items() if r == row)
        return self.cells.get((row, col), 0)

    def shown(self, row, col) -> int | str:
        return HIDDEN if (row, col) in self.hidden else self.value(row, col)

    def suppress(self) -> Cut:
        row_keys = [r for r, _l in self.rows] + [None]
        col_keys = [c for c, _l in self.cols] + [None]
        for r in row_keys:
            for c in col_keys:
                if 0 < self.value(r, c) < THRESHOLD:
                    self.hidden.add((r, c))
        changed = True
        while changed:
            changed = False
            lines = [[(r, c) for c in col_keys] for r in row_keys] + [[(r, c) for r in row_keys] for c in col_keys]
            for line in lines:
                hidden = [cell for cell in line if cell in self.hidden]
                if len(hidden) != 1:
                    continue
                candidates = [cell for cell in line if cell not in self.hidden and self.value(*cell) > 0]
                if candidates:
                    self.hidden.add(min(candidates, key=lambda cell: (self.value(*cell), str(cell))))
                    changed = True
        return self

    def as_dict(self) -> dict:
        return {
            "rows": [
                {
                    "county": r,
                    "name": label,
                    "cells": {c: self.shown(r, c) for c, _l in self.cols},
                    "total": self.shown(r, None),
                }
                for r, label in self.rows
            ],
            "totals": {c: self.shown(None, c) for c, _l in self.cols},
            "total": self.shown(None, None),
        }


@dataclass
class Statistics:
    year: int
    received: Cut
    decided: Cut
    approved: Cut
    indicators: Cut  # counties × (new entrepreneurs, mentoring person-times)
    loans: Loans
    handling_days: dict  # type -> average working days or None
    satisfaction: dict  # {"n": count or HIDDEN, "rate": percent or None}
    demo: bool


def _counties() -> dict[int, County]:
    return {c.id: c for c in counties()}


def _county_rows(known: dict[int, County]) -> list[tuple[str, str]]:
    return [(c.code, local_name(c)) for c in known.values()] + [(OTHER, _("未填县区"))]


def _type_cols() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in APPLICATION_TYPES.items()]


def _add(cut: Cut, known: dict[int, County], county_id: int | None, col: str, n: int) -> None:
    row = known[county_id].code if county_id in known else OTHER
    cut.cells[(row, col)] = cut.cells.get((row, col), 0) + int(n)


def _application_cut(year: int, column, extra=None) -> Cut:
    start, end = ind.year_bounds(year)
    stmt = (
        sa.select(Application.county_id, Application.type, sa.func.count())
        .where(column >= start, column < end)
        .group_by(Application.county_id, Application.type)
    )
    if extra is not None:
        stmt = stmt.where(extra)
    known = _counties()
    cut = Cut(_county_rows(known), _type_cols())
    for county_id, kind, n in db.session.execute(stmt):
        _add(cut, known, county_id, kind, n)
    return cut.suppress()


def _indicator_cut(year: int) -> Cut:
    rows = counted_rows(year)
    known = _counties()
    keys = ("new_entrepreneurs", "mentoring")
    cut = Cut(_county_rows(known), [(key, f"{ind.BY_KEY[key].label}（{ind.BY_KEY[key].unit}）") for key in keys])
    for key in keys:
        for county_id, _month, value in rows[key]:
            _add(cut, known, county_id, key, int(value))
    return cut.suppress()


@dataclass
class Loans:
    """Approved guarantee loans per county: the count suppressed like any count, the amount hidden with it."""

    count: Cut
    amounts: dict[str | None, Decimal]

    def amount(self, row: str | None) -> Decimal | str:
        return HIDDEN if (row, "loan") in self.count.hidden else self.amounts.get(row, Decimal(0))


def _loans(year: int) -> Loans:
    known = _counties()
    cut = Cut(_county_rows(known), [("loan", str(APPLICATION_TYPES["loan"]))])
    amounts: dict = defaultdict(Decimal)
    start, end = ind.year_bounds(year)
    stmt = (
        sa.select(Application.county_id, sa.func.count(), sa.func.sum(Application.amount_wan))
        .where(Application.type == "loan", Application.state == APPROVED)
        .where(Application.decided_at >= start, Application.decided_at < end)
        .group_by(Application.county_id)
    )
    for county_id, n, amount in db.session.execute(stmt):
        _add(cut, known, county_id, "loan", n)
        row = known[county_id].code if county_id in known else OTHER
        amounts[row] += amount or 0
        amounts[None] += amount or 0
    return Loans(cut.suppress(), amounts)


def _handling_days(year: int) -> dict:
    start, end = ind.year_bounds(year)
    stmt = (
        sa.select(Application.type, sa.func.count(), sa.func.avg(Application.decision_working_days))
        .where(Application.decided_at >= start, Application.decided_at < end)
        .where(Application.state.in_((APPROVED, REJECTED)), Application.decision_working_days.is_not(None))
        .group_by(Application.type)
    )
    found = {key: None for key in APPLICATION_TYPES}
    for kind, n, average in db.session.execute(stmt):
        found[kind] = round(float(average), 1) if n >= THRESHOLD and average is not None else None
    return found


def _satisfaction(year: int) -> dict:
    stmt = sa.select(sa.func.count(), sa.func.sum(sa.case((Rating.level >= 3, 1), else_=0))).where(
        Rating.month.like(f"{year}-%")
    )
    n, satisfied = db.session.execute(stmt).one()
    n = n or 0
    if n < THRESHOLD:
        return {"n": HIDDEN if n else 0, "rate": None}
    return {"n": n, "rate": round(100 * (satisfied or 0) / n)}


def statistics(year: int) -> Statistics:
    start_col, decided_col = Application.submitted_at, Application.decided_at
    return Statistics(
        year=year,
        received=_application_cut(year, start_col),
        decided=_application_cut(year, decided_col, Application.state.in_((APPROVED, REJECTED))),
        approved=_application_cut(year, decided_col, Application.state == APPROVED),
        indicators=_indicator_cut(year),
        loans=_loans(year),
        handling_days=_handling_days(year),
        satisfaction=_satisfaction(year),
        demo=has_demo_data(),
    )


def as_json(stats: Statistics) -> dict:
    def money(value):
        return value if isinstance(value, str) else float(value)

    return {
        "year": stats.year,
        "demo_data": stats.demo,
        "suppression": {"threshold": THRESHOLD, "hidden_as": HIDDEN},
        "applications_received": stats.received.as_dict(),
        "applications_decided": stats.decided.as_dict(),
        "applications_approved": stats.approved.as_dict(),
        "average_working_days_to_decision": stats.handling_days,
        "satisfaction": stats.satisfaction,
        "indicators": stats.indicators.as_dict(),
        "loans_granted": {
            "count": stats.loans.count.as_dict(),
            "amount_wan": {
                "rows": {code: money(stats.loans.amount(code)) for code, _label in stats.loans.count.rows},
                "total": money(stats.loans.amount(None)),
            },
        },
    }


def stats_charts(stats: Statistics) -> dict[str, str]:
    """Only unsuppressed values are drawn; a hidden cell is drawn as no bar, never as its real size."""
    rows = [
        (label, None if isinstance(v, str) else float(v))
        for (key, label) in stats.received.rows
        for v in [stats.received.shown(key, None)]
    ]
    return {"received": charts.counts(_("%(year)s年各县区收到的申请", year=stats.year), rows)}


def board_charts(board: Board) -> dict[str, dict[str, str]]:
    until = 12 if board.expected >= 1 else max(1, min(12, round(board.expected * 12 + 0.5)))
    found = {}
    for progress in board.progress:
        key = progress.indicator.key
        title = f"{progress.indicator.label}（{progress.indicator.unit}）"
        found[key] = {
            "monthly": charts.monthly(title, board.months[key], board.offline_months[key], until),
            "cumulative": charts.cumulative(
                title,
                board.months[key],
                board.offline_months[key],
                progress.goal.value if progress.goal else None,
                until,
            ),
        }
    if board.county is None:
        found["shares"] = {
            p_key: charts.shares(
                _("各县区%(name)s目标完成情况（%%）", name=label),
                [(c.name, next(p.share for p in rows if p.indicator.key == p_key)) for c, rows in board.counties],
            )
            for p_key, label in ((i.key, i.label) for i in ind.INDICATORS)
        }
    return found
