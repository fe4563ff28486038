"""The queues' counters (core.tally), kept with every change in the same transaction, so that a queue page, the
office overview and the dashboard read a few hundred counter rows instead of counting a unit's items.

| measure | day | unit | county | kind | n / amount |
| --- | --- | --- | --- | --- | --- |
| open_items | the deadline | the item's | – | "" (clock running) or "paused" | open items |
| open_items_dekad | the deadline's ten-day period (旬: the 1st, 11th or 21st) | 〃 | – | 〃 | 〃 |
| open_items_month | the deadline's month | 〃 | – | 〃 | 〃 |
| items | – | the item's | the applicant's | type:application state | items not transferred away |
| claimed | – | the item's | – | the claimer's user id | open items claimed |
| closed_items | month closed (Beijing) | the item's | – | – | items decided, not withdrawn / days to close |

Every place an item enters or leaves a cell calls these functions before and after the change; the lifecycle's
signal covers the moves out of "open". `flask counts check` recomputes each measure from the items.

Open items are counted three times, by the deadline's day, ten-day period and month (one statement), so that
"overdue" — deadlines before today, a boundary that moves every day without any change to count — is a sum of few
cells: the months before this one, this month's periods before today's, and this period's days before today (at
most 2 + 9 cells per unit and clock beyond its months), instead of every deadline day a unit has.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from portal.applications.states import WITHDRAWN
from portal.core import tally
from portal.core.tally import TIMELESS, local_day, month_of
from portal.extensions import db
from portal.queues.models import QueueItem
from portal.queues.states import CLOSED, ITEM, OPEN, TRANSFERRED

MEASURE = "open_items"
DEKADS = "open_items_dekad"
MONTHS = "open_items_month"


def _unit(item: QueueItem) -> int:
    return item.unit_id or item.unit.id


def _kind(item: QueueItem) -> str:
    return "paused" if item.paused_since is not None else ""


def dekad_of(day: date) -> date:
    """The first day of the day's ten-day period (旬): the 1st, 11th or 21st."""
    return day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21)


def _deadline_cells(day: date) -> list[tuple[str, date]]:
    return [(MEASURE, day), (DEKADS, dekad_of(day)), (MONTHS, month_of(day))]


def entered(item: QueueItem) -> None:
    """The item is open with its current deadline and clock (call after a change)."""
    tally.bump_each(_deadline_cells(item.due_date), unit_id=_unit(item), kind=_kind(item))


def left(item: QueueItem) -> None:
    """The item leaves its current deadline cells (call before a change)."""
    tally.bump_each(_deadline_cells(item.due_date), unit_id=_unit(item), kind=_kind(item), n=-1)


def state_moved(item: QueueItem, before: str | None, after: str | None) -> None:
    """The item's copy of the application state changed (None: the item appears or goes away)."""
    county = item.county_id
    if before is not None:
        tally.bump("items", TIMELESS, unit_id=_unit(item), county_id=county, kind=f"{item.app_type}:{before}", n=-1)
    if after is not None:
        tally.bump("items", TIMELESS, unit_id=_unit(item), county_id=county, kind=f"{item.app_type}:{after}")


def claim_moved(item: QueueItem, before: int | None, after: int | None) -> None:
    """The item's claimer changed (None: unclaimed)."""
    if before:
        tally.bump("claimed", TIMELESS, unit_id=_unit(item), kind=str(before), n=-1)
    if after:
        tally.bump("claimed", TIMELESS, unit_id=_unit(item), kind=str(after))


def opened(item: QueueItem) -> None:
    """A new open item (queues.intake.new_item)."""
    entered(item)
    state_moved(item, None, item.app_state)
    claim_moved(item, None, item.claimed_by_id)


def _days_open(item: QueueItem) -> Decimal:
    created, closed = item.created_at, item.closed_at or datetime.now(UTC)
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    closed = closed if closed.tzinfo else closed.replace(tzinfo=UTC)
    return Decimal(round((closed - created).total_seconds() / 86400, 2))


def _on_item_changed(item: QueueItem, action: str, before: str, after: str, **_ignored) -> None:
    if before != OPEN or after == OPEN:
        return
    left(item)
    claim_moved(item, item.claimed_by_id, None)
    if after == TRANSFERRED:
        state_moved(item, item.app_state, None)
    if after == CLOSED and item.app_state != WITHDRAWN:  # a withdrawal is not the unit's 办结
        tally.bump("closed_items", month_of(local_day(item.closed_at)), unit_id=_unit(item), amount=_days_open(item))


# ---------------------------------------------------------------- reads


def _open_and_overdue(today: date) -> tuple:
    """(rows, open, overdue): the tally rows to read and two sums over them (SUM … FILTER, for a GROUP BY unit).
    Open items are the month cells; overdue ones (clock running, deadline before today) the month cells before this
    month, this month's ten-day cells before today's period and this period's day cells before today — each
    deadline day counted once."""
    t = tally.Tally
    month, dekad = month_of(today), dekad_of(today)
    earlier = (
        sa.and_(t.measure == MONTHS, t.day < month),
        sa.and_(t.measure == DEKADS, t.day >= month, t.day < dekad),
        sa.and_(t.measure == MEASURE, t.day >= dekad, t.day < today),
    )
    rows = sa.or_(t.measure == MONTHS, *earlier[1:])
    return rows, sa.func.sum(t.n).filter(t.measure == MONTHS), sa.func.sum(t.n).filter(t.kind == "", sa.or_(*earlier))


def per_unit(today: date) -> list[tuple]:
    """Every unit with counts, in one statement: (unit, open, overdue, closed, days to close in all, second 补正)."""
    t = tally.Tally
    rows, n_open, n_late = _open_and_overdue(today)
    sums = (
        sa.select(
            t.unit_id,
            n_open.label("open"),
            n_late.label("late"),
            sa.func.sum(t.n).filter(t.measure == "closed_items").label("closed"),
            sa.func.sum(t.amount).filter(t.measure == "closed_items").label("days"),
            sa.func.sum(t.n).filter(t.measure == "material_twice").label("twice"),
        )
        .where(sa.or_(rows, t.measure.in_(("closed_items", "material_twice"))))
        .group_by(t.unit_id)
        .subquery()
    )
    from portal.catalog.models import Unit

    stmt = (
        sa.select(Unit, sums.c.open, sums.c.late, sums.c.closed, sums.c.days, sums.c.twice)
        .join(sums, sums.c.unit_id == Unit.id)
        .where(sa.or_(sums.c.open != 0, sums.c.closed != 0, sums.c.twice != 0))
        .order_by(Unit.code)
    )
    return [
        (unit, int(n or 0), int(late or 0), int(closed or 0), Decimal(days or 0), int(twice or 0))
        for unit, n, late, closed, days, twice in db.session.execute(stmt)
    ]


def open_and_overdue(today: date, unit_ids=None) -> dict[int, tuple[int, int]]:
    """Per unit: (open items, overdue items: clock running and deadline before today), summed in the database."""
    rows, n_open, n_late = _open_and_overdue(today)
    stmt = sa.select(tally.Tally.unit_id, n_open, n_late).where(rows).group_by(tally.Tally.unit_id)
    if unit_ids is not None:
        stmt = stmt.where(tally.Tally.unit_id.in_(unit_ids))
    return {unit: (int(n or 0), int(late or 0)) for unit, n, late in db.session.execute(stmt)}


def state_counts(unit_id: int | None) -> dict[str, int]:
    """Items by application state (transferred-away items left out), for one unit or all."""
    column, params = state_counts_column(unit_id)
    return parse_state_counts(db.session.scalar(sa.select(column), params))


def _state_counts_text(unit: sa.BindParameter | None):
    total = sa.func.sum(tally.Tally.n)
    cells = sa.select(tally.Tally.kind, total.label("n")).where(tally.Tally.measure == "items")
    if unit is not None:
        cells = cells.where(tally.Tally.unit_id == unit)
    cells = cells.group_by(tally.Tally.kind).having(total != 0).subquery()
    entry = cells.c.kind + "=" + sa.cast(cells.c.n, sa.String)
    return sa.select(sa.func.aggregate_strings(entry, ",")).scalar_subquery()


# Built once: a page adds the column and the unit as a parameter (building the expression for every page cost as
# much as the database's work; measured in bench/queues.py).
_UNIT = sa.bindparam("state_counts_unit", type_=sa.Integer)
_ONE_UNIT, _ALL_UNITS = _state_counts_text(_UNIT), _state_counts_text(None)


def state_counts_column(unit_id: int | None) -> tuple:
    """The same counts as one text value ("loan:accepted=12,training:done=3"), a scalar subquery, and its
    parameters: a page's own statement selects it beside its rows, so that the counts cost no second round trip
    (queues.queries)."""
    if unit_id is None:
        return _ALL_UNITS, {}
    return _ONE_UNIT, {"state_counts_unit": unit_id}


def parse_state_counts(text: str | None) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for entry in (text or "").split(","):
        kind, _, n = entry.rpartition("=")
        if kind and n.lstrip("-").isdigit():
            found[kind.split(":", 1)[1]] += int(n)
    return {state: n for state, n in found.items() if n}


def claimed_by(unit_id: int) -> dict[int, int]:
    """Open items each colleague of the unit has claimed."""
    return {int(kind): n for kind, n, _amount in tally.read("claimed", None, None, "kind", unit_id=unit_id) if n}


# ---------------------------------------------------------------- the same measures from the items


def _zero_cells(rows) -> dict[tally.Cell, tuple[int, Decimal]]:
    return {cell: (n, Decimal(amount)) for cell, n, amount in rows if n or amount}


def source() -> dict[tally.Cell, tuple[int, Decimal]]:
    paused = sa.case((QueueItem.paused_since.is_(None), ""), else_="paused")
    stmt = (
        sa.select(QueueItem.due_date, QueueItem.unit_id, paused, sa.func.count())
        .where(QueueItem.status == OPEN)
        .group_by(QueueItem.due_date, QueueItem.unit_id, paused)
    )
    return {(day, 0, unit, kind): (n, Decimal(0)) for day, unit, kind, n in db.session.execute(stmt)}


def _by(bucket):
    def source_by() -> dict[tally.Cell, tuple[int, Decimal]]:
        found: dict[tally.Cell, int] = defaultdict(int)
        for (day, county, unit, kind), (n, _amount) in source().items():
            found[(bucket(day), county, unit, kind)] += n
        return {cell: (n, Decimal(0)) for cell, n in found.items() if n}

    return source_by


def source_items():
    stmt = (
        sa.select(QueueItem.unit_id, QueueItem.county_id, QueueItem.app_type, QueueItem.app_state, sa.func.count())
        .where(QueueItem.status != TRANSFERRED)
        .group_by(QueueItem.unit_id, QueueItem.county_id, QueueItem.app_type, QueueItem.app_state)
    )
    return _zero_cells(((TIMELESS, c or 0, u, f"{t}:{s}"), n, 0) for u, c, t, s, n in db.session.execute(stmt))


def source_claimed():
    stmt = (
        sa.select(QueueItem.unit_id, QueueItem.claimed_by_id, sa.func.count())
        .where(QueueItem.status == OPEN, QueueItem.claimed_by_id.is_not(None))
        .group_by(QueueItem.unit_id, QueueItem.claimed_by_id)
    )
    return _zero_cells(((TIMELESS, 0, u, str(who)), n, 0) for u, who, n in db.session.execute(stmt))


def source_closed():
    found: dict = defaultdict(lambda: [0, Decimal(0)])
    stmt = sa.select(QueueItem).where(
        QueueItem.status == CLOSED, QueueItem.closed_at.is_not(None), QueueItem.app_state != WITHDRAWN
    )
    for item in db.session.scalars(stmt.execution_options(yield_per=5000)):
        cell = (month_of(local_day(item.closed_at)), 0, item.unit_id, "")
        found[cell][0] += 1
        found[cell][1] += _days_open(item)
    return _zero_cells((cell, n, amount) for cell, (n, amount) in found.items())


def init_app(app) -> None:
    ITEM.signal.connect(_on_item_changed)
    tally.register(MEASURE, source)
    tally.register(DEKADS, _by(dekad_of))
    tally.register(MONTHS, _by(month_of))
    tally.register("items", source_items)
    tally.register("claimed", source_claimed)
    tally.register("closed_items", source_closed)
