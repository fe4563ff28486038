"""Public statistics (/stats/ and /api/v1/stats): what the portal received and decided, how fast and how well,
and the plan's indicators, by type and county. No personal data.

Small counts are suppressed in every cut: a count of 1–4 is shown as "<5", and where a row, a column or a total
would let the hidden cell be found by subtraction, the next smallest cell is hidden as well (secondary
suppression). An amount or an average is hidden wherever its count is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from portal.applications.states import APPROVED
from portal.catalog.models import County
from portal.catalog.vocab import APPLICATION_TYPES
from portal.core import tally
from portal.core.i18n import local_name
from portal.dashboard import charts
from portal.dashboard import indicators as ind
from portal.dashboard.queries import Board, counted_rows, counties, has_demo_data

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


def _tally_cut(year: int, measure: str, cols: list[tuple[str, str]], col_of) -> Cut:
    """A cut of counties × columns from a counter; `col_of(kind)` names the column of a counter's kind (or None)."""
    known = _counties()
    cut = Cut(_county_rows(known), cols)
    for county_id, kind, n, _amount in tally.read(measure, date(year, 1, 1), date(year + 1, 1, 1), "county_id", "kind"):
        col = col_of(kind)
        if col is not None:
            _add(cut, known, county_id, col, n)
    return cut.suppress()


def _state_of(state: str | None):
    """The column (application type) of a `decided` kind "type:state", for one state or both."""

    def col(kind: str) -> str | None:
        kind_type, kind_state = kind.split(":", 1)
        return kind_type if state is None or kind_state == state else None

    return col


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
    year_rows = tally.read("decided", date(year, 1, 1), date(year + 1, 1, 1), "county_id", "kind")
    for county_id, kind, n, amount in year_rows:
        if kind != "loan:approved":
            continue
        _add(cut, known, county_id, "loan", n)
        row = known[county_id].code if county_id in known else OTHER
        amounts[row] += amount
        amounts[None] += amount
    return Loans(cut.suppress(), amounts)


def _handling_days(year: int) -> dict:
    """Average working days from submission to decision per type, over 5 decisions or more."""
    totals: dict[str, list[int]] = {key: [0, 0] for key in APPLICATION_TYPES}
    for kind, n, _amount in tally.read("days", date(year, 1, 1), date(year + 1, 1, 1), "kind"):
        kind_type, days = kind.rsplit(":", 1)
        if kind_type in totals:
            totals[kind_type][0] += n
            totals[kind_type][1] += n * int(days)
    return {key: round(days / n, 1) if n >= THRESHOLD else None for key, (n, days) in totals.items()}


def _satisfaction(year: int) -> dict:
    """满意率 (基本满意 or better) of the year's ratings, from the ratings counter; only over 5 ratings."""
    n = satisfied = 0
    for kind, count, _amount in tally.read("ratings", date(year, 1, 1), date(year + 1, 1, 1), "kind"):
        n += count
        satisfied += count if int(kind) >= 3 else 0
    if n < THRESHOLD:
        return {"n": HIDDEN if n else 0, "rate": None}
    return {"n": n, "rate": round(100 * satisfied / n)}


def statistics(year: int) -> Statistics:
    types = _type_cols()
    return Statistics(
        year=year,
        received=_tally_cut(year, "received", types, lambda kind: kind),
        decided=_tally_cut(year, "decided", types, _state_of(None)),
        approved=_tally_cut(year, "decided", types, _state_of(APPROVED)),
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
        if v != 0  # the table lists every county; the chart only those with applications
    ]
    return {"received": charts.counts(_("%(year)s年各县区收到的申请", year=stats.year), rows)}


def board_charts(board: Board) -> dict[str, str]:
    """The office page's charts: each indicator's running total against an even pace; the counties' shares."""
    until = 12 if board.expected >= 1 else max(1, min(12, round(board.expected * 12 + 0.5)))
    found = {}
    for progress in board.progress:
        key, goal = progress.indicator.key, progress.goal
        title = f"{progress.indicator.label}（{progress.indicator.unit}）"
        found[key] = charts.cumulative(
            title, board.months[key], board.offline_months[key], goal.value if goal else None, until
        )
    if board.county is None:
        label = ind.BY_KEY["new_entrepreneurs"].label
        found["shares"] = charts.shares(
            _("各县区%(name)s目标完成情况（%%）", name=label),
            [
                (local_name(c), next(p.share for p in rows if p.indicator.key == "new_entrepreneurs"))
                for c, rows in board.counties
            ],
        )
    return found
