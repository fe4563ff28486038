"""Candidate fixes for the slow queue queries, tried on bench/queues.py's throwaway database (``--experiments``).

Nothing here changes the portal: the extra indexes exist only in the benchmark's database, and the alternative
cursor predicates are built beside ``portal.queues.services.queue_page`` from its own ``_filtered`` statement. It
runs after the main measurements, so their figures are not affected.

1. ``VACUUM ANALYZE`` (PostgreSQL), as autovacuum would after a bulk load, and the slow queries again: the
   visibility map lets index-only scans skip the heap.
2. The keyset cursor ``due_date > d OR (due_date = d AND id > i)`` is not an index condition on PostgreSQL or
   SQLite, so a page N items deep reads N index entries (and, on PostgreSQL, N heap rows). Two equivalent forms
   that are: the same OR with a redundant ``due_date >= d``, and the row value ``(due_date, id) > (d, i)``.
3. Extra indexes: ``(unit_id, status, app_state, claimed_by_id)`` for ``state_counts`` and ``colleague_load`` (both
   become index-only scans), and ``(status, due_date, id)`` for the office's all-units queue. After each DDL the
   engine's pool is disposed, so that no pooled connection keeps a plan or statistics from before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

import sqlalchemy as sa

INDEXES = {
    # one index for both GROUP BYs of the staff queue view: index-only scans of the unit's entries
    "counts": ("ix_bench_queue_item_unit_counts", "unit_id, status, app_state, claimed_by_id"),
    "office": ("ix_bench_queue_item_status_due", "status, due_date, id"),
}


def _vacuum(engine: sa.Engine) -> float:
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE queue_item" if engine.dialect.name == "postgresql" else "ANALYZE")
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("VACUUM ANALYZE application")
            conn.exec_driver_sql("VACUUM ANALYZE user_account")
    return time.perf_counter() - t0


def _create_index(engine: sa.Engine, name: str, columns: str) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE INDEX {name} ON queue_item ({columns})")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE queue_item" if engine.dialect.name == "postgresql" else "ANALYZE")
    engine.dispose()
    return time.perf_counter() - t0


def _page(unit_id: int, cursor: tuple, form: str):
    """queue_page's statement for the unit's open queue after `cursor`, with the cursor predicate in `form`."""
    from portal.extensions import db
    from portal.queues import queries as services
    from portal.queues.models import QueueItem

    day, item_id = cursor
    stmt = services._filtered(unit_id, services.Filters(), None)
    keyset = sa.or_(QueueItem.due_date > day, sa.and_(QueueItem.due_date == day, QueueItem.id > item_id))
    if form == "or":
        stmt = stmt.where(keyset)
    elif form == "or + due_date >=":
        stmt = stmt.where(QueueItem.due_date >= day, keyset)
    else:
        stmt = stmt.where(sa.tuple_(QueueItem.due_date, QueueItem.id) > sa.tuple_(day, item_id))
    stmt = stmt.order_by(QueueItem.due_date, QueueItem.id).limit(services.PAGE_SIZE + 1)
    stmt = stmt.options(sa.orm.joinedload(QueueItem.application), sa.orm.joinedload(QueueItem.claimed_by))
    rows = list(db.session.scalars(stmt).unique())
    return SimpleNamespace(items=rows[: services.PAGE_SIZE])


def run(app, unit: dict, reps: int, log: Callable[[str], None], measure, plan_of, fmt) -> list[tuple]:
    """[(Timing, plan)] for every variant; `measure`, `plan_of` and `fmt` come from bench/queues.py."""
    from portal.extensions import db
    from portal.queues import queries as services
    from portal.queues.models import QueueItem

    results: list[tuple] = []
    unit_id = unit["id"]

    def timed(name: str, call: Callable[[], object], note: str = "") -> None:
        timing = measure(name, None, call, reps, note)
        timing.page = False
        plan = plan_of(db.engine, call)
        results.append((timing, plan))
        log(f"    {fmt(timing)}")

    with app.app_context():
        engine = db.engine
        pg = engine.dialect.name == "postgresql"
        if pg:
            seconds = _vacuum(engine)
            log(f"    VACUUM ANALYZE: {seconds:.1f} s")
        open_q = (
            sa.select(QueueItem.due_date, QueueItem.id)
            .where(QueueItem.unit_id == unit_id, QueueItem.status == "open")
            .order_by(QueueItem.due_date, QueueItem.id)
        )
        n_open = db.session.scalar(
            sa.select(sa.func.count()).where(QueueItem.unit_id == unit_id, QueueItem.status == "open")
        )
        middle = (n_open // 2) // services.PAGE_SIZE * services.PAGE_SIZE
        cursor = tuple(db.session.execute(open_q.offset(middle - 1).limit(1)).one())
        db.session.remove()
        after = "after VACUUM" if pg else "as loaded"

        for form in ("or", "or + due_date >=", "row value"):
            timed(
                f"middle page, cursor as {form}",
                lambda form=form: _page(unit_id, cursor, form),
                f"rows {middle + 1:,}–, {after}",
            )
        timed("state_counts (unit)", lambda: services.state_counts(unit_id), after)
        timed("colleague_load (unit)", lambda: services.colleague_load(unit_id), after)
        office = SimpleNamespace(id=0)
        timed(
            "office: all units, first page",
            lambda: services.queue_page(None, services.Filters(), office, None, with_counts=False),
            after,
        )
        for what, (name, columns) in INDEXES.items():
            seconds = _create_index(engine, name, columns)
            log(f"    CREATE INDEX {name} ({columns}) + {'VACUUM ' if pg else ''}ANALYZE: {seconds:.1f} s")
            if what == "counts":
                timed("state_counts (unit)", lambda: services.state_counts(unit_id), f"+ index ({columns})")
                timed("colleague_load (unit)", lambda: services.colleague_load(unit_id), f"+ index ({columns})")
                timed("office: state_counts (all units)", lambda: services.state_counts(None), f"+ index ({columns})")
            else:
                timed(
                    "office: all units, first page",
                    lambda: services.queue_page(None, services.Filters(), office, None, with_counts=False),
                    f"+ index ({columns})",
                )
        timed(
            "staff view: first page +counts +colleague_load",
            lambda: (services.queue_page(unit_id, services.Filters(), None, None), services.colleague_load(unit_id))[0],
            "with the indexes above",
        )
    return results
