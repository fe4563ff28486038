"""The leading group's figures: each indicator's progress against its target and the year elapsed, per county,
per month, off-line returns beside them, the units' queue health and the plan's work items.

Each indicator is counted once per page (`indicators.INDICATORS`, rows of county × month), and every table and
chart on the page is a sum over those rows, so the figures always agree with each other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.catalog.models import County, Unit
from portal.core import tally
from portal.dashboard import indicators as ind
from portal.dashboard import targets
from portal.dashboard.models import CITY, OfflineFigure, Target
from portal.extensions import db
from portal.queues import counts as queue_counts
from portal.queues.queries import today

AHEAD, ON_TRACK, BEHIND = "ahead", "on_track", "behind"


@dataclass
class Progress:
    indicator: ind.Indicator
    counted: Decimal
    offline: Decimal
    goal: targets.Goal | None
    expected: float  # share of the year elapsed (1.0 for a past year)

    @property
    def total(self) -> Decimal:
        return self.counted + self.offline

    @property
    def share(self) -> float | None:
        return float(self.total / self.goal.value) if self.goal and self.goal.value else None

    @property
    def status(self) -> str | None:
        """Ahead, on track or behind the share of the year elapsed (within ±5 % of it is on track)."""
        if self.share is None or self.expected <= 0:
            return None
        ratio = self.share / self.expected
        return AHEAD if ratio >= 1.05 else ON_TRACK if ratio >= 0.95 else BEHIND


@dataclass
class UnitHealth:
    unit: Unit
    open: int = 0
    overdue: int = 0
    decided: int = 0
    median_days: float | None = None
    second_requests: int = 0

    @property
    def second_rate(self) -> float | None:
        return self.second_requests / self.decided if self.decided else None


@dataclass
class Board:
    year: int
    county: County | None
    expected: float
    progress: list[Progress]
    counties: list[tuple[County, list[Progress]]]
    months: dict[str, list[Decimal]]  # indicator -> 12 monthly counted values
    offline_months: dict[str, list[Decimal]]
    units: list[UnitHealth] = field(default_factory=list)
    work_items: list[dict] = field(default_factory=list)
    demo: bool = False


def elapsed_share(year: int, day: date | None = None) -> float:
    day = day or today()
    if year < day.year:
        return 1.0
    if year > day.year:
        return 0.0
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    return (day - date(year, 1, 1)).days / days + 1 / days


def counted_rows(year: int) -> dict[str, list[ind.Row]]:
    return {i.key: i.count(year) for i in ind.INDICATORS}


def offline_rows(year: int) -> dict[str, list[ind.Row]]:
    found: dict[str, list[ind.Row]] = defaultdict(list)
    stmt = sa.select(OfflineFigure).where(OfflineFigure.year == year)
    for figure in db.session.scalars(stmt):
        found[figure.indicator].append((figure.county_id, figure.month, figure.value))
    return found


def _sum(rows: list[ind.Row], county_id: int | None = None) -> Decimal:
    return sum((v for c, _m, v in rows if county_id is None or c == county_id), Decimal(0))


def _by_month(rows: list[ind.Row], county_id: int | None) -> list[Decimal]:
    months = [Decimal(0)] * 12
    for c, m, v in rows:
        if county_id is None or c == county_id:
            months[m - 1] += v
    return months


def counties() -> list[County]:
    """Every county-level division (邓州市 is a county-level city) and functional zone, in the published order."""
    return list(db.session.scalars(sa.select(County).order_by(County.sort, County.code)))


def board(year: int, county: County | None = None) -> Board:
    expected = elapsed_share(year)
    counted, offline = counted_rows(year), offline_rows(year)
    scope = county.id if county else None
    shown = counties() if county is None else [county]
    scopes = [(county.code if county else CITY, county.name if county else None)] + [(c.code, c.name) for c in shown]
    goals = targets.all_goals(year, scopes)

    def progress(county_id: int | None, goals: dict[str, targets.Goal]) -> list[Progress]:
        return [
            Progress(
                i, _sum(counted[i.key], county_id), _sum(offline.get(i.key, []), county_id), goals.get(i.key), expected
            )
            for i in ind.INDICATORS
        ]

    per_county = [(c, progress(c.id, goals[c.code])) for c in shown]
    return Board(
        year=year,
        county=county,
        expected=expected,
        progress=progress(scope, goals[scopes[0][0]]),
        counties=per_county,
        months={i.key: _by_month(counted[i.key], scope) for i in ind.INDICATORS},
        offline_months={i.key: _by_month(offline.get(i.key, []), scope) for i in ind.INDICATORS},
        units=unit_health(year, county),
        work_items=targets.work_items(),
        demo=has_demo_data(),
    )


def _median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    middle, seen, values = (total - 1) / 2, 0, sorted(histogram)
    lower = upper = None
    for value in values:
        seen += histogram[value]
        if lower is None and seen > int(middle):
            lower = value
        if seen > int(middle + 0.5):
            upper = value
            break
    return (lower + upper) / 2


def unit_health(year: int, county: County | None = None) -> list[UnitHealth]:
    """Open and overdue items now; decisions, median working days to decision and second 补正 in the year."""
    unit_stmt = sa.select(Unit).order_by(Unit.code)
    if county is not None:
        unit_stmt = unit_stmt.where(Unit.county_id == county.id)
    units = {u.id: UnitHealth(u) for u in db.session.scalars(unit_stmt)}
    for unit_id, (n_open, n_overdue) in queue_counts.open_and_overdue(today(), set(units)).items():
        units[unit_id].open, units[unit_id].overdue = n_open, n_overdue
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    histograms: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, kind, n, _amount in tally.read("days", start, end, "unit_id", "kind"):
        if unit_id in units:
            histograms[unit_id][int(kind.rsplit(":", 1)[1])] += n
    for unit_id, n, _amount in tally.read("decided", start, end, "unit_id"):
        if unit_id in units:
            units[unit_id].decided += n
    for unit_id, histogram in histograms.items():
        units[unit_id].median_days = _median(histogram)
    for unit_id, n, _amount in tally.read("material_twice", start, end, "unit_id"):
        if unit_id in units:
            units[unit_id].second_requests = n
    return [h for h in units.values() if h.open or h.decided or h.unit.level == "city"]


def has_demo_data() -> bool:
    from portal.registry.queries import demo_rows_exist

    if demo_rows_exist():
        return True
    return bool(
        db.session.scalar(sa.select(OfflineFigure.id).where(OfflineFigure.demo).limit(1))
        or db.session.scalar(sa.select(Target.id).where(Target.demo).limit(1))
    )


def offline_figures(year: int, county_id: int | None = None) -> list[OfflineFigure]:
    stmt = sa.select(OfflineFigure).where(OfflineFigure.year == year)
    if county_id is not None:
        stmt = stmt.where(OfflineFigure.county_id == county_id)
    return list(db.session.scalars(stmt.order_by(OfflineFigure.month.desc(), OfflineFigure.county_id)))


def portal_targets(year: int) -> list[Target]:
    return list(db.session.scalars(sa.select(Target).where(Target.year == year).order_by(Target.county_code)))
