"""Counters kept in the same transaction as the change they count, so that figures over a million records cost a
read of a few hundred rows.

A tally row is one measure (what is counted: "received", "decided", …) on one day (for monthly measures the first of
the month; for deadlines the day itself), for one county and one unit (0 when it does not apply) and one kind (a
free key: an application type, "loan:approved", …), with a count `n` and a sum `amount`. Each change adds a delta
with an upsert (INSERT … ON CONFLICT DO UPDATE) into one of `SHARDS` rows chosen at random, so two transactions
counting the same thing at once rarely wait for each other; readers sum the shards.

The areas bump their own measures where their state changes (signal receivers, in the same transaction as the
change: a rolled-back change rolls its count back). Where rows were written without their signals (a bulk import,
the demo history), the owner rebuilds the measure from the source rows (`replace`), and a check compares the two.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.clock import BEIJING, local_day  # noqa: F401 (counters are dated by Beijing days)
from portal.db import Base
from portal.extensions import db

SHARDS = 8
TIMELESS = date(2000, 1, 1)  # the day of a counter that is not about a day (items by state, claimed items)


class Tally(Base):
    __tablename__ = "tally"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    measure: Mapped[str] = mapped_column(sa.String(24))
    day: Mapped[date] = mapped_column(sa.Date)
    county_id: Mapped[int] = mapped_column(default=0)  # 0: none (no foreign key: a count outlives nothing)
    unit_id: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(32), default="")
    shard: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    n: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    amount: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2), default=0)

    __table_args__ = (
        sa.UniqueConstraint("measure", "day", "county_id", "unit_id", "kind", "shard", name="uq_tally_cell"),
        # one unit's cells (its state counts, its colleagues' load) without reading every unit's
        sa.Index("ix_tally_unit", "measure", "unit_id", "kind", "day", "n"),
    )


# measure -> a function computing it from the source rows: {cell: (n, amount)} (`flask counts check`)
SOURCES: dict[str, object] = {}


def register(measure: str, source) -> None:
    SOURCES[measure] = source


def month_of(day: date) -> date:
    return day.replace(day=1)


_UPSERTS: dict[str, object] = {}


def _upsert():
    """INSERT … ON CONFLICT DO UPDATE adding to the row, built once per dialect and executed with the rows as
    parameters: building and compiling the statement for every bump cost more than the database's work."""
    dialect = db.session.get_bind().dialect.name
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        base = insert(Tally)
        stmt = _UPSERTS[dialect] = base.on_conflict_do_update(
            index_elements=["measure", "day", "county_id", "unit_id", "kind", "shard"],
            set_={"n": Tally.n + base.excluded.n, "amount": Tally.amount + base.excluded.amount},
        )
    return stmt


def bump(measure: str, day: date, **delta) -> None:
    """Add `n` (default 1) and `amount` to a counter, in the current transaction (keywords of `bump_each`)."""
    bump_each([(measure, day)], **delta)


def bump_each(
    cells: Iterable[tuple[str, date]],
    *,
    county_id: int | None = None,
    unit_id: int | None = None,
    kind: str = "",
    n: int = 1,
    amount: Decimal | int | float | None = 0,
) -> None:
    """Add the same delta to several counters in one statement: one change counted at several granularities (open
    items by deadline day, ten-day period and month: queues.counts). The cells must differ."""
    rows = [
        {
            "measure": measure,
            "day": day,
            "county_id": county_id or 0,
            "unit_id": unit_id or 0,
            "kind": kind,
            "shard": random.randrange(SHARDS),  # noqa: S311 - spreading writes, not a secret
            "n": n,
            "amount": Decimal(str(amount or 0)),
        }
        for measure, day in cells
    ]
    db.session.connection().execute(_upsert(), rows)  # Core: the ORM adds nothing to a counter row


def read(measure: str, start: date | None = None, end: date | None = None, *columns: str, **equals) -> list[tuple]:
    """Sums of n and amount for the measure between start (inclusive) and end (exclusive), grouped by `columns`
    (any of day, county_id, unit_id, kind) and limited to `equals` (e.g. unit_id=7): rows of (*columns, n, amount)."""
    keys = [getattr(Tally, c) for c in columns]
    stmt = sa.select(*keys, sa.func.sum(Tally.n), sa.func.sum(Tally.amount)).where(Tally.measure == measure)
    if start is not None:
        stmt = stmt.where(Tally.day >= start)
    if end is not None:
        stmt = stmt.where(Tally.day < end)
    for column, value in equals.items():
        stmt = stmt.where(getattr(Tally, column) == value)
    if keys:
        stmt = stmt.group_by(*keys)
    return [(*row[:-2], int(row[-2] or 0), Decimal(row[-1] or 0)) for row in db.session.execute(stmt)]


Cell = tuple[date, int, int, str]  # day, county_id, unit_id, kind


def replace(measure: str, cells: Iterable[tuple[Cell, int, Decimal]]) -> None:
    """Set a measure to exactly these cells (a rebuild from the source rows): one row per cell, shard 0."""
    db.session.execute(sa.delete(Tally).where(Tally.measure == measure))
    rows = [
        {"measure": measure, "day": day, "county_id": county or 0, "unit_id": unit or 0, "kind": kind, "shard": 0,
         "n": n, "amount": Decimal(str(amount or 0))}
        for (day, county, unit, kind), n, amount in cells
        if n or amount
    ]  # fmt: skip
    if rows:
        db.session.execute(sa.insert(Tally), rows)


def cells(measure: str) -> dict[Cell, tuple[int, Decimal]]:
    """Every cell of a measure with its shards summed (zero cells left out), for a check against the source."""
    stmt = (
        sa.select(
            Tally.day, Tally.county_id, Tally.unit_id, Tally.kind, sa.func.sum(Tally.n), sa.func.sum(Tally.amount)
        )
        .where(Tally.measure == measure)
        .group_by(Tally.day, Tally.county_id, Tally.unit_id, Tally.kind)
    )
    found = {}
    for day, county, unit, kind, n, amount in db.session.execute(stmt):
        if n or amount:
            found[(day, county, unit, kind)] = (int(n), Decimal(amount))
    return found


# ---------------------------------------------------------------- `flask counts compact`

_CELL_COLUMNS = ("measure", "day", "county_id", "unit_id", "kind")


def compact(measure: str) -> tuple[int, int]:
    """Fold each cell's shard rows into one row and delete cells that sum to zero, without changing any sum, so that
    a reader reads one row per live cell however many changes there were (an open-items cell whose deadline has
    passed and whose items are all done is a zero cell forever otherwise). Rows that another transaction holds are
    skipped (FOR UPDATE SKIP LOCKED) and folded the next time: compaction never waits for the portal's changes, so
    it cannot deadlock with them, and a change that waits for a row being deleted inserts it again.
    Returns (rows read, rows left) among the cells it folded; the caller commits."""
    cell = [getattr(Tally, c) for c in _CELL_COLUMNS]
    foldable = (
        sa.select(*cell)
        .where(Tally.measure == measure)
        .group_by(*cell)
        .having(sa.or_(sa.func.count() > 1, sa.and_(sa.func.sum(Tally.n) == 0, sa.func.sum(Tally.amount) == 0)))
        .subquery()
    )
    stmt = (
        sa.select(Tally.id, *cell, Tally.n, Tally.amount)
        .join(foldable, sa.and_(*(column == foldable.c[column.key] for column in cell)))
        .order_by(Tally.id)
        .with_for_update(skip_locked=True, of=Tally)
    )
    groups: dict[tuple, list] = {}
    for row in db.session.execute(stmt):
        groups.setdefault(tuple(row[1:6]), []).append(row)
    gone: list[int] = []
    kept: list[dict] = []
    for rows in groups.values():
        n, amount = sum(r.n for r in rows), sum((Decimal(r.amount) for r in rows), Decimal(0))
        if n or amount:
            kept.append({"id": rows[0].id, "n": n, "amount": amount})
            gone += [r.id for r in rows[1:]]
        else:
            gone += [r.id for r in rows]
    if kept:
        db.session.execute(sa.update(Tally), kept)
    for start in range(0, len(gone), 1000):
        db.session.execute(sa.delete(Tally).where(Tally.id.in_(gone[start : start + 1000])))
    return sum(len(rows) for rows in groups.values()), len(kept)


# ---------------------------------------------------------------- `flask counts check [--fix]`


def differences(measure: str) -> list[tuple[Cell, tuple[int, Decimal], tuple[int, Decimal]]]:
    """Cells where the counter and the source rows disagree: (cell, counted, source)."""
    kept, truth = cells(measure), SOURCES[measure]()
    zero = (0, Decimal(0))
    return [
        (cell, kept.get(cell, zero), truth.get(cell, zero))
        for cell in sorted(set(kept) | set(truth), key=str)
        if kept.get(cell, zero) != truth.get(cell, zero)
    ]


def fix(measure: str) -> None:
    truth = SOURCES[measure]()
    replace(measure, ((cell, n, amount) for cell, (n, amount) in truth.items()))
