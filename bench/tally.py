"""Benchmark one counter bump (core.tally): the portal's `bump_each` — a statement built once per dialect, executed
with the rows as parameters on the session's connection — beside the baseline of a statement built and compiled for
every call through the ORM session (what `bump_each` did before), in the same run, the two taking turns.

For each database (a throwaway one, migrated and loaded with content/: bench/harness.py) and each shape — one cell
(a claim's `claimed` counter) and three cells (an open item by deadline day, ten-day period and month) — the script
times `--reps` bumps of each kind inside one transaction per 100 bumps (rolled back, so the table stays as it was)
and prints p50/p95/p99/max in ms and the ratio of the medians.

Usage::

    .venv/bin/python bench/tally.py [--db all|sqlite|postgres] [--reps 2000] [--json PATH]

Exit status: 0 when the benchmark ran, 2 when it could not (``--db postgres`` without PostgreSQL).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date
from decimal import Decimal

import harness
import sqlalchemy as sa
from harness import Samples

BATCH = 100  # bumps per transaction (rolled back)
SHAPES = {
    "one cell": [("claimed", date(2000, 1, 1))],
    "three cells": [("open_items", date(2026, 12, 9)), ("open_items_dekad", date(2026, 12, 1)),
                    ("open_items_month", date(2026, 12, 1))],
}  # fmt: skip


def built_per_call(cells, unit_id: int) -> None:
    """The baseline: the upsert built for every call and run through the ORM session (the former bump_each)."""
    from portal.core.tally import SHARDS, Tally
    from portal.extensions import db

    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows = [
        {"measure": m, "day": d, "county_id": 0, "unit_id": unit_id, "kind": "", "shard": random.randrange(SHARDS),
         "n": 1, "amount": Decimal(0)}
        for m, d in cells
    ]  # fmt: skip
    stmt = insert(Tally).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=["measure", "day", "county_id", "unit_id", "kind", "shard"],
        set_={"n": Tally.n + stmt.excluded.n, "amount": Tally.amount + stmt.excluded.amount},
    )
    db.session.execute(stmt)


def measure(app, reps: int) -> list[Samples]:
    from portal.core import tally
    from portal.extensions import db

    found = []
    with app.app_context():
        for shape, cells in SHAPES.items():
            portal = Samples(f"{shape}: tally.bump_each")
            baseline = Samples(f"{shape}: built per call (baseline)")
            calls = [
                (portal, lambda unit, cells=cells: tally.bump_each(cells, unit_id=unit)),
                (baseline, lambda unit, cells=cells: built_per_call(cells, unit)),
            ]
            for k in range(reps + BATCH):  # the first BATCH rounds warm up
                if k % BATCH == 0:
                    db.session.rollback()
                for samples, call in calls[k % 2 :] + calls[: k % 2]:
                    ms, _ = harness.timed(call, 1 + k % 50)
                    if k >= BATCH:
                        samples.ms.append(ms)
            db.session.rollback()
            found += [portal, baseline]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=2000, help="timed bumps of each kind per shape")
    harness.add_common_arguments(parser)
    args = parser.parse_args(argv)
    started = harness.header("tally.py", f"SQLAlchemy {sa.__version__}")
    report = {}
    for kind in harness.databases(args.db):
        with harness.throwaway_portal(kind, "tally") as app:
            print(f"\n== {kind}: {args.reps} bumps of each kind per shape, taking turns; ms")
            print(harness.row_header(first="bump"))
            found = measure(app, args.reps)
            for samples in found:
                print(samples.row())
            for portal, baseline in zip(found[::2], found[1::2], strict=True):
                ratio = portal.pct(50) / baseline.pct(50)
                print(f"  {portal.label.split(':')[0]}: median {ratio:.2f} × the baseline's")
            report[kind] = [{"label": s.label, **s.figures()} for s in found]
    print(f"\nfinished; {harness.load_average()}")
    harness.write_json(args.json, started, {"runs": report})
    return 0


if __name__ == "__main__":
    sys.exit(harness.run(main, (RuntimeError, sa.exc.SQLAlchemyError)))
