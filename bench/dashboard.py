"""Benchmark the leading group's dashboard and the public statistics at 1,000,000 applications.

For each database (a throwaway one, migrated and loaded with content/: bench/harness.py) this script bulk-loads the
same synthetic applications and queue items as bench/queues.py (bench/queues_load.py: 1,000,000 on PostgreSQL,
100,000 on SQLite by default, with loan amounts, attendance, handling units and working days to decision), then
times, in-process, with ``db.session.remove()`` before each call:

- (after rebuilding the counters from the loaded rows, as ``flask counts check --fix`` would after an import)
- the baseline: one page of a county 人社局's queue (``queues.queries.queue_page``, the query a member of staff
  waits for all day), measured in the same run;
- ``dashboard.queries.board`` for the whole city and for one county (every indicator, the per-county table, the
  monthly series, the units' queue health);
- ``dashboard.public.statistics`` (the public cuts with suppression);
- ``GET /office/`` and ``GET /stats/`` through the test client (queries, charts and the rendered page).

Goal (issue 14): the office page p95 ≤ 200 ms on PostgreSQL at 1,000,000 applications.

Usage::

    .venv/bin/python bench/dashboard.py [--db all|sqlite|postgres] [--pg-rows 1000000] [--sqlite-rows 100000]
                                        [--reps 30] [--seed 2026] [--json PATH] [--strict]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict

import harness
import sqlalchemy as sa
from harness import Goal, Samples
from queues import load_data, pick_unit, rebuild_counters

GOAL_MS = 200.0
WARMUP = 2


def timed(label: str, call, reps: int) -> Samples:
    for _ in range(WARMUP):
        call()
    samples = Samples(label)
    for _ in range(reps):
        started = time.perf_counter()
        call()
        samples.ms.append((time.perf_counter() - started) * 1000)
    print(samples.row(), flush=True)
    return samples


def run_database(kind: str, rows: int, args) -> tuple[list[Samples], list[Goal]]:
    from portal.accounts.models import User
    from portal.catalog.models import County
    from portal.dashboard import public, queries
    from portal.extensions import db
    from portal.queues import queries as queue_queries

    print(f"\n== {kind}: migrating and loading content/ …", flush=True)
    with harness.throwaway_portal(kind, "dashboard", PAGE_CACHE=False) as app:
        load_data(app, rows, args.seed, "copy" if kind == "postgres" else "insert")
        rebuild_counters(app)  # the bulk load wrote rows without the signals that keep the counters
        with app.app_context():
            unit = pick_unit(db)
            office = User(name="看板", role="office", password_hash="!bench")  # noqa: S106 - cannot log in
            office.phone = "13500000999"
            db.session.add(office)
            db.session.commit()
            office_id = office.id
            county = db.session.scalar(sa.select(County).where(County.code == "411381"))
            county_id = county.id
            db.session.remove()
        year = None
        with app.app_context():
            year = queue_queries.today().year
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = f"{office_id}:1"
            session["_fresh"] = True
        print(f"\n{args.reps} timed calls each after {WARMUP} warm-ups, db.session.remove() before each; ms")
        print(harness.row_header(first="call"), flush=True)
        results = []

        def in_context(call):
            def run():
                with app.test_request_context():
                    db.session.remove()
                    call()
                    db.session.remove()

            return run

        filters = queue_queries.Filters()
        results.append(timed("baseline: queue_page (first page, one unit)",
                             in_context(lambda: queue_queries.queue_page(unit["id"], filters, None, with_counts=False)),
                             args.reps))  # fmt: skip
        results.append(timed("dashboard.queries.board (city)", in_context(lambda: queries.board(year)), args.reps))
        results.append(timed("dashboard.queries.board (one county)",
                             in_context(lambda: queries.board(year, db.session.get(County, county_id))),
                             args.reps))  # fmt: skip
        results.append(timed("dashboard.public.statistics", in_context(lambda: public.statistics(year)), args.reps))

        def page(url):
            def run():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return run

        results.append(timed("GET /office/ (queries, charts, page)", page("/office/"), args.reps))
        results.append(timed("GET /stats/", page("/stats/"), args.reps))
    office_page = results[4]
    goals = []
    if kind == "postgres":
        goals.append(
            Goal(
                f"[postgres] GET /office/ p95 ≤ {GOAL_MS:.0f} ms at {rows:,} applications",
                office_page.pct(95) <= GOAL_MS,
                f"p95 {office_page.pct(95):.1f} ms; baseline queue page p95 {results[0].pct(95):.1f} ms",
            )
        )
    return results, goals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite-rows", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    harness.add_common_arguments(parser)
    args = parser.parse_args(argv)
    started = harness.header("dashboard.py", f"SQLAlchemy {sa.__version__}")
    runs, goals = {}, []
    for kind in harness.databases(args.db):
        results, found = run_database(kind, args.pg_rows if kind == "postgres" else args.sqlite_rows, args)
        runs[kind] = [r.figures() | {"label": r.label} for r in results]
        goals += found
    harness.print_goals(goals)
    print(f"\nfinished; {harness.load_average()}")
    harness.write_json(args.json, started, {"runs": runs, "goals": [asdict(g) for g in goals]})
    return 1 if args.strict and not all(g.met for g in goals) else 0


if __name__ == "__main__":
    sys.exit(harness.run(main, (RuntimeError, sa.exc.SQLAlchemyError)))
