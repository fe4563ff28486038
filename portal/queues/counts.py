"""Open queue items counted by unit and deadline day, kept with every change (core.tally, measure "open_items").

A unit's open and overdue counts are then a sum over a few hundred tally rows (its deadlines), not a scan of its
items: kind "" for items whose clock runs, "paused" for items waiting for material (never overdue). Every place an
item enters or leaves a cell calls `left` before and `entered` after the change, in the same transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.core import tally
from portal.extensions import db
from portal.queues.models import QueueItem
from portal.queues.states import ITEM, OPEN

MEASURE = "open_items"


def _kind(item: QueueItem) -> str:
    return "paused" if item.paused_since is not None else ""


def entered(item: QueueItem) -> None:
    tally.bump(MEASURE, item.due_date, unit_id=item.unit_id or item.unit.id, kind=_kind(item))


def left(item: QueueItem) -> None:
    tally.bump(MEASURE, item.due_date, unit_id=item.unit_id or item.unit.id, kind=_kind(item), n=-1)


def _on_item_changed(item: QueueItem, action: str, before: str, after: str, **_ignored) -> None:
    if before == OPEN and after != OPEN:
        left(item)


def source() -> dict[tally.Cell, tuple[int, Decimal]]:
    """The measure computed from the items themselves (for `flask counts check`)."""
    paused = sa.case((QueueItem.paused_since.is_(None), ""), else_="paused")
    stmt = (
        sa.select(QueueItem.due_date, QueueItem.unit_id, paused, sa.func.count())
        .where(QueueItem.status == OPEN)
        .group_by(QueueItem.due_date, QueueItem.unit_id, paused)
    )
    return {(day, 0, unit, kind): (n, Decimal(0)) for day, unit, kind, n in db.session.execute(stmt)}


def open_and_overdue(today: date, unit_ids=None) -> dict[int, tuple[int, int]]:
    """Per unit: (open items, overdue items: clock running and deadline before today), summed in the database."""
    overdue = sa.case((sa.and_(tally.Tally.kind == "", tally.Tally.day < today), tally.Tally.n), else_=0)
    stmt = (
        sa.select(tally.Tally.unit_id, sa.func.sum(tally.Tally.n), sa.func.sum(overdue))
        .where(tally.Tally.measure == MEASURE)
        .group_by(tally.Tally.unit_id)
    )
    if unit_ids is not None:
        stmt = stmt.where(tally.Tally.unit_id.in_(unit_ids))
    return {unit: (int(n or 0), int(late or 0)) for unit, n, late in db.session.execute(stmt)}


def init_app(app) -> None:
    ITEM.signal.connect(_on_item_changed)
    tally.register(MEASURE, source)
