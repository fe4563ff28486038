"""Benchmark the work queues: page latency of a big unit's queue and concurrent claims, on PostgreSQL and SQLite.

For each database this script

1. builds a throwaway database — PostgreSQL: ``bench_queues_<random>`` created as ``postgres@127.0.0.1:5432`` and
   dropped ``WITH (FORCE)`` at the end; SQLite: a file in a temporary directory — migrates it
   (``flask_migrate.upgrade``) and loads content/ (counties, units, rules), as tests/conftest.py does;
2. bulk-loads synthetic data (bench/queues_load.py): applicants, two staff per unit, applications (1,000,000 on
   PostgreSQL, 100,000 on SQLite by default) and their queue items routed by the real rules, with COPY on PostgreSQL
   and Core ``insert()`` executemany on SQLite, then ``VACUUM ANALYZE`` on PostgreSQL (``ANALYZE`` on SQLite);
   prints load time and rows/s;
3. times ``portal.queues.services.queue_page`` in-process (``time.perf_counter``, ``db.session.remove()`` before
   every call so nothing comes from the identity map) on the county 人社局 with the most items: the first page, a
   deep page (cursor 20 pages in), a page in the middle and one near the end of the queue, a filtered page
   (accepted loans of the unit's county) and the overdue filter, each with ``with_counts`` False and True;
   ``state_counts`` and ``colleague_load`` alone, both with the first page (the queries of GET /staff/queue), and
   the office's all-units view. p50/p95/p99/max in ms; ``--explain`` prints every query's plan (EXPLAIN ANALYZE on
   PostgreSQL, EXPLAIN QUERY PLAN on SQLite);
4. races 8 threads (each with its own app context, inside ``writing()``) to claim the same 2,000 open items of that
   unit through ``services.claim``, all in the same shuffled order, committing each win and rolling back each loss;
   then checks in SQL that every item has exactly one claimer, was updated once, and has exactly one
   ``queue.claim`` audit row by that claimer. Reports claims/s and attempts/s;
5. checks the goals: p95 ≤ 20 ms for every page query on PostgreSQL, zero double claims on both databases;
6. with ``--experiments``, afterwards times candidate fixes on the same data (bench/queues_experiments.py).

Usage::

    .venv/bin/python bench/queues.py [--db all|sqlite|postgres] [--pg-rows 1000000] [--sqlite-rows 100000]
                                     [--rows N] [--reps 200] [--workers 8] [--claim-items 2000]
                                     [--pg-load copy|insert] [--seed 2026] [--explain] [--experiments]
                                     [--json PATH] [--strict]

Exit status: 0 when the benchmark ran (goals met or not), 1 with ``--strict`` when a goal was missed, 2 when the
benchmark could not run (``--db postgres`` without PostgreSQL, a failed setup).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import platform
import random
import secrets
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import queues_experiments  # noqa: E402
import queues_load  # noqa: E402

from portal import create_app  # noqa: E402

CONTENT = ROOT / "content"
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/postgres"

P95_GOAL_MS = 20.0
DEEP_PAGES = 20
WARMUP = 5
SLOW_MS = 250.0  # a query slower than this on its warm-up is timed fewer times (reps // 10, at least 10)


@dataclass
class Timing:
    name: str
    counts: bool | None  # with_counts, or None when not a queue_page call
    samples_ms: list[float]
    rows: int = 0
    page: bool = True  # judged against the page goal (on PostgreSQL)
    note: str = ""

    def pct(self, p: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def summary(self) -> dict:
        return {
            "name": self.name,
            "with_counts": self.counts,
            "n": len(self.samples_ms),
            "p50_ms": round(self.pct(50), 2),
            "p95_ms": round(self.pct(95), 2),
            "p99_ms": round(self.pct(99), 2),
            "max_ms": round(max(self.samples_ms), 2),
            "rows": self.rows,
            "page": self.page,
            "note": self.note,
        }


@dataclass
class ClaimResult:
    items: int
    workers: int
    seconds: float
    wins_per_worker: list[int]
    losses: int
    errors: int
    error_sample: str
    items_claimed: int  # items with a claimer afterwards
    items_claimed_once: int  # ... whose version went up by exactly one
    audit_rows: int
    audit_items: int  # distinct items with a queue.claim audit row
    audit_matching: int  # items whose single audit row names the item's claimer
    duplicate_wins: int  # items that two workers both believe they won

    @property
    def wins(self) -> int:
        return sum(self.wins_per_worker)

    @property
    def attempts(self) -> int:
        return self.wins + self.losses + self.errors

    @property
    def double_claims(self) -> int:
        """Every way a claim could have been given twice; zero when the race was won exactly once per item."""
        return (
            self.duplicate_wins
            + max(0, self.wins - self.items)
            + (self.items - self.items_claimed_once)
            + max(0, self.audit_rows - self.items)
            + (self.items - self.audit_matching)
        )

    def summary(self) -> dict:
        data = asdict(self)
        data.update(
            wins=self.wins,
            attempts=self.attempts,
            double_claims=self.double_claims,
            claims_per_s=round(self.wins / self.seconds, 1),
            attempts_per_s=round(self.attempts / self.seconds, 1),
        )
        return data


@dataclass
class DatabaseRun:
    db: str
    version: str = ""
    rows_requested: int = 0
    load: dict = field(default_factory=dict)
    unit: dict = field(default_factory=dict)
    timings: list[Timing] = field(default_factory=list)
    plans: dict[str, str] = field(default_factory=dict)
    claims: ClaimResult | None = None
    experiments: list[Timing] = field(default_factory=list)
    sizes: dict[str, str] = field(default_factory=dict)


@dataclass
class Goal:
    text: str
    met: bool
    detail: str


# ---------------------------------------------------------------- databases


def postgres_answers() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    name = f"bench_queues_{secrets.token_hex(4)}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def sqlite_database(tmp: str) -> Iterator[str]:
    yield f"sqlite:///{tmp}/bench.sqlite3"


def make_app(url: str, data_dir: str):
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PORTAL_DATA_DIR": data_dir, "PAGE_CACHE": False}
    )


def prepare(app) -> None:
    """Migrate and load content/, as tests/conftest.py does."""
    from flask_migrate import upgrade

    from portal.content.loader import apply_content, read_content
    from portal.extensions import db

    with app.app_context():
        upgrade()
        content = read_content(CONTENT)
        if content.problems:
            raise RuntimeError("content/ has problems: " + "; ".join(str(p) for p in content.problems[:5]))
        apply_content(content)
        db.session.commit()
        db.session.remove()


# ---------------------------------------------------------------- load


def load_data(app, rows: int, seed: int, method: str, log: Callable[[str], None]) -> dict:
    from portal.catalog.models import County, Unit
    from portal.content.models import get_rules
    from portal.db import Base
    from portal.extensions import db
    from portal.queues import queries as services

    tables = Base.metadata.tables
    with app.app_context():
        counties = [tuple(r) for r in db.session.execute(sa.select(County.id, County.code).order_by(County.sort))]
        unit_ids = dict(db.session.execute(sa.select(Unit.code, Unit.id)).all())
        rules = get_rules("routing")
        today = services.today()
        db.session.remove()
        engine = db.engine
        started = time.perf_counter()
        with engine.begin() as conn:
            applicants, staff = queues_load.insert_users(conn, tables, unit_ids, max(1000, rows // 50))
        world = queues_load.World(counties, unit_ids, staff, applicants, rules, today)
        log(f"  loading {rows:,} applications ({method}) …")
        stats = queues_load.load(engine, tables, world, rows, seed, method, progress=log)
        total_seconds = time.perf_counter() - started
        analyze = 0.0
        if engine.dialect.name == "postgresql":
            t0 = time.perf_counter()
            # VACUUM too: it sets the visibility map as autovacuum would on a table in service, and keeps
            # autovacuum from starting on the fresh 1.5 M rows in the middle of the measurements
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
            analyze = time.perf_counter() - t0
        else:
            t0 = time.perf_counter()
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
            analyze = time.perf_counter() - t0
    rows_total = stats.users + stats.applications + stats.queue_items
    analyze_what = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    result = {
        "method": method,
        "users": stats.users,
        "applications": stats.applications,
        "queue_items": stats.queue_items,
        "seconds": round(total_seconds, 1),
        "rows_per_s": round(rows_total / total_seconds),
        "analyze_seconds": round(analyze, 1),
        "analyze": analyze_what,
    }
    log(
        f"  loaded {stats.applications:,} applications + {stats.queue_items:,} queue items + {stats.users:,} users "
        f"in {total_seconds:.1f} s ({result['rows_per_s']:,} rows/s); {analyze_what} {analyze:.1f} s"
    )
    return result


def table_sizes(app) -> dict[str, str]:
    from portal.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            path = Path(db.engine.url.database)
            return {"database file": f"{path.stat().st_size / 2**20:.0f} MB"}
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                    "AND (c.relname IN ('application', 'queue_item') OR c.relname LIKE 'ix_queue_item%' "
                    "OR c.relname = 'pk_queue_item') ORDER BY c.relname"
                )
            ).all()
        return dict(rows)


# ---------------------------------------------------------------- page timings


@contextlib.contextmanager
def captured_sql(engine: sa.Engine) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def explain(engine: sa.Engine, statement: str, parameters) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
            return "\n".join(r[0] for r in rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(r[-1]) for r in rows)


def pick_unit(app) -> dict:
    """The county 人社局 with the most queue items, and the biggest unit overall (for information)."""
    from portal.catalog.models import Unit
    from portal.extensions import db
    from portal.queues.models import QueueItem

    with app.app_context():
        per_unit = db.session.execute(
            sa.select(QueueItem.unit_id, sa.func.count()).group_by(QueueItem.unit_id).order_by(sa.func.count().desc())
        ).all()
        units = {u.id: u for u in db.session.scalars(sa.select(Unit))}
        county_hrss = [(uid, n) for uid, n in per_unit if units[uid].level == "county" and units[uid].dept == "hrss"]
        unit_id, items = county_hrss[0]
        unit = units[unit_id]
        open_items = db.session.scalar(
            sa.select(sa.func.count()).where(QueueItem.unit_id == unit_id, QueueItem.status == "open")
        )
        biggest_id, biggest_n = per_unit[0]
        info = {
            "id": unit_id,
            "code": unit.code,
            "name": unit.name,
            "county_id": unit.county_id,
            "items": items,
            "open_items": open_items,
            "biggest_unit": f"{units[biggest_id].code} ({biggest_n:,} items)",
            "units_with_items": len(per_unit),
        }
        db.session.remove()
        return info


def time_queries(
    app, unit: dict, reps: int, want_plans: bool, log: Callable[[str], None]
) -> tuple[list[Timing], dict[str, str]]:
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.queues import queries as services
    from portal.queues.models import QueueItem
    from portal.queues.queries import PAGE_SIZE, Filters

    timings: list[Timing] = []
    plans: dict[str, str] = {}
    unit_id = unit["id"]
    with app.app_context():
        engine = db.engine
        user = db.session.scalars(sa.select(User).where(User.unit_id == unit_id, User.role == "staff")).first()
        office = SimpleNamespace(id=0)  # only `.id` is read, and only for the "mine" filter
        # a cursor DEEP_PAGES pages in, walked once
        cursor = None
        for _ in range(DEEP_PAGES):
            cursor = services.queue_page(unit_id, Filters(), user, cursor, with_counts=False).next_cursor
        deep_cursor = cursor
        # a cursor two pages before the end of the open queue
        open_q = sa.select(QueueItem.due_date, QueueItem.id).where(
            QueueItem.unit_id == unit_id, QueueItem.status == "open"
        )
        n_open = db.session.scalar(sa.select(sa.func.count()).select_from(open_q.subquery()))

        def cursor_at(offset: int) -> str:
            """The cursor queue_page would hand out after the first `offset` open items."""
            day, item_id = db.session.execute(
                open_q.order_by(QueueItem.due_date, QueueItem.id).offset(offset - 1).limit(1)
            ).one()
            return services.encode_cursor(SimpleNamespace(due_date=day, id=item_id))

        middle = (n_open // 2) // PAGE_SIZE * PAGE_SIZE
        middle_cursor = cursor_at(middle)
        end_cursor = cursor_at(n_open - 2 * PAGE_SIZE)
        county_id = unit["county_id"] or db.session.scalar(
            sa.select(QueueItem.county_id).where(QueueItem.unit_id == unit_id).limit(1)
        )
        db.session.remove()

        filtered = Filters(state="accepted", type="loan", county_id=county_id)
        kinds: list[tuple[str, Callable[[bool], object], str]] = [
            ("first page", lambda c: services.queue_page(unit_id, Filters(), user, None, with_counts=c), ""),
            (
                f"deep page (page {DEEP_PAGES + 1})",
                lambda c: services.queue_page(unit_id, Filters(), user, deep_cursor, with_counts=c),
                f"rows {DEEP_PAGES * PAGE_SIZE + 1}–",
            ),
            (
                "page in the middle",
                lambda c: services.queue_page(unit_id, Filters(), user, middle_cursor, with_counts=c),
                f"rows {middle + 1:,}– of {n_open:,} open",
            ),
            (
                "page near the end",
                lambda c: services.queue_page(unit_id, Filters(), user, end_cursor, with_counts=c),
                f"last {2 * PAGE_SIZE} of {n_open:,} open",
            ),
            (
                "filtered: accepted loans of the county",
                lambda c: services.queue_page(unit_id, filtered, user, None, with_counts=c),
                "",
            ),
            (
                "filter: overdue",
                lambda c: services.queue_page(unit_id, Filters(overdue=True), user, None, with_counts=c),
                "",
            ),
        ]
        for name, call, note in kinds:
            for counts in (False, True):
                timing = measure(name, counts, lambda call=call, counts=counts: call(counts), reps, note)
                timings.append(timing)
                log(f"    {fmt_timing(timing)}")
                if want_plans and not counts:
                    plans[name] = plan_of(engine, lambda call=call: call(False))
        extras: list[tuple[str, Callable[[], object], bool, str]] = [
            ("state_counts (unit)", lambda: services.state_counts(unit_id), False, "GROUP BY app_state"),
            ("colleague_load (unit)", lambda: services.colleague_load(unit_id), False, "staff queue view also runs it"),
            (
                "staff view: first page +counts +colleague_load",
                lambda: (
                    services.queue_page(unit_id, Filters(), user, None),
                    services.colleague_load(unit_id),
                )[0],
                False,
                "the queries of GET /staff/queue",
            ),
            (
                "office: all units, first page",
                lambda: services.queue_page(None, Filters(), office, None, with_counts=False),
                False,
                "not judged",
            ),
            ("office: state_counts (all units)", lambda: services.state_counts(None), False, "not judged"),
        ]
        for name, call, page, note in extras:
            timing = measure(name, None, call, reps, note)
            timing.page = page
            timings.append(timing)
            log(f"    {fmt_timing(timing)}")
            if want_plans:
                plans[name] = plan_of(engine, call)
    return timings, plans


def measure(name: str, counts: bool | None, call: Callable[[], object], reps: int, note: str) -> Timing:
    from portal.extensions import db

    warm = []
    result = None
    for _ in range(WARMUP):
        db.session.remove()
        t0 = time.perf_counter()
        result = call()
        warm.append((time.perf_counter() - t0) * 1000)
    n = reps if min(warm) < SLOW_MS else max(10, reps // 10)
    samples = []
    for _ in range(n):
        db.session.remove()
        t0 = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - t0) * 1000)
    db.session.remove()
    rows = len(result.items) if hasattr(result, "items") and isinstance(result.items, list) else len(result or ())
    return Timing(name, counts, samples, rows=rows, note=note)


def plan_of(engine: sa.Engine, call: Callable[[], object]) -> str:
    """EXPLAIN the slowest-looking statement a call issues (the page query or the GROUP BY)."""
    from portal.extensions import db

    db.session.remove()
    with captured_sql(engine) as statements:
        call()
    db.session.remove()
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT") and "queue_item" in s]
    if not selects:
        return "(no statement captured)"
    statement, parameters = max(selects, key=lambda sp: len(sp[0]))
    return statement.strip() + "\n  params: " + repr(parameters) + "\n" + explain(engine, statement, parameters)


def fmt_timing(t: Timing) -> str:
    counts = "" if t.counts is None else (" +counts" if t.counts else "")
    return (
        f"{(t.name + counts):<48} n={len(t.samples_ms):<4} p50 {t.pct(50):7.2f}  p95 {t.pct(95):7.2f}  "
        f"p99 {t.pct(99):7.2f}  max {max(t.samples_ms):7.2f} ms  rows {t.rows}"
    )


# ---------------------------------------------------------------- claims


def claim_race(app, unit: dict, n_items: int, workers: int, seed: int) -> ClaimResult:
    from portal.accounts.models import User
    from portal.audit import AuditLog
    from portal.db import Base, writing
    from portal.errors import InvalidTransition
    from portal.extensions import db
    from portal.queues import operations
    from portal.queues.models import QueueItem

    unit_id = unit["id"]
    rng = random.Random(seed)
    with app.app_context():
        candidates = list(
            db.session.scalars(
                sa.select(QueueItem.id).where(
                    QueueItem.unit_id == unit_id, QueueItem.status == "open", QueueItem.claimed_by_id.is_(None)
                )
            )
        )
        db.session.remove()
        if len(candidates) < n_items:
            raise RuntimeError(f"only {len(candidates)} open unclaimed items in {unit['code']}")
        item_ids = rng.sample(candidates, n_items)
        with db.engine.begin() as conn:
            staff_ids = queues_load.add_staff(conn, Base.metadata.tables["user_account"], unit_id, workers, "认领员")

    order = list(item_ids)
    rng.shuffle(order)  # one shared order: every worker races for the same item at the same time
    wins: list[list[int]] = [[] for _ in range(workers)]
    losses = [0] * workers
    errors = [0] * workers
    error_sample: list[str] = []
    barrier = threading.Barrier(workers + 1)

    def worker(k: int) -> None:
        with app.app_context(), writing():
            barrier.wait()
            for item_id in order:
                try:
                    user = db.session.get(User, staff_ids[k])
                    operations.claim(user, item_id)
                    db.session.commit()
                    wins[k].append(item_id)
                except InvalidTransition:
                    db.session.rollback()
                    losses[k] += 1
                except Exception as exc:  # a lock timeout or a driver error: counted, never a win
                    db.session.rollback()
                    errors[k] += 1
                    if not error_sample:
                        error_sample.append(f"{type(exc).__name__}: {exc}"[:300])
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=worker, args=(k,), name=f"claim-{k}") for k in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started

    won = Counter(i for per_worker in wins for i in per_worker)
    with app.app_context():
        rows = db.session.execute(
            sa.select(QueueItem.id, QueueItem.claimed_by_id, QueueItem.version).where(QueueItem.id.in_(item_ids))
        ).all()
        claimer = {r.id: r.claimed_by_id for r in rows}
        claimed = sum(1 for r in rows if r.claimed_by_id in staff_ids)
        claimed_once = sum(1 for r in rows if r.claimed_by_id in staff_ids and r.version == 2)
        audit = db.session.execute(
            sa.select(AuditLog.object_id, AuditLog.actor_id).where(
                AuditLog.action == "queue.claim", AuditLog.object_type == "queue_item"
            )
        ).all()
        db.session.remove()
    per_item = Counter(int(a.object_id) for a in audit)
    actor = {int(a.object_id): a.actor_id for a in audit}
    matching = sum(1 for i in item_ids if per_item.get(i) == 1 and actor.get(i) == claimer.get(i))
    return ClaimResult(
        items=n_items,
        workers=workers,
        seconds=seconds,
        wins_per_worker=[len(w) for w in wins],
        losses=sum(losses),
        errors=sum(errors),
        error_sample=error_sample[0] if error_sample else "",
        items_claimed=claimed,
        items_claimed_once=claimed_once,
        audit_rows=len(audit),
        audit_items=len(per_item),
        audit_matching=matching,
        duplicate_wins=sum(1 for n in won.values() if n > 1),
    )


# ---------------------------------------------------------------- one database


def run_database(kind: str, rows: int, args: argparse.Namespace) -> DatabaseRun:
    run = DatabaseRun(db=kind, rows_requested=rows)

    def log(text: str) -> None:
        print(text, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-queues-") as tmp:
        databases = postgres_database() if kind == "postgres" else sqlite_database(tmp)
        with databases as url:
            app = make_app(url, tmp)
            try:
                log(f"[{kind}] migrating and loading content/ …")
                prepare(app)
                from portal.extensions import db

                with app.app_context(), db.engine.connect() as conn:
                    run.version = (
                        conn.exec_driver_sql("SHOW server_version").scalar()
                        if kind == "postgres"
                        else sqlite3.sqlite_version
                    )
                method = args.pg_load if kind == "postgres" else "insert"
                run.load = load_data(app, rows, args.seed, method, log)
                run.sizes = table_sizes(app)
                run.unit = pick_unit(app)
                u = run.unit
                log(
                    f"  unit: {u['code']} {u['name']}: {u['items']:,} items, {u['open_items']:,} open "
                    f"(biggest unit overall: {u['biggest_unit']})"
                )
                log(f"  timing queue_page, {args.reps} repetitions each (db.session.remove() before each) …")
                run.timings, run.plans = time_queries(app, u, args.reps, args.explain, log)
                log(f"  claim race: {args.workers} workers × {args.claim_items:,} items …")
                run.claims = claim_race(app, u, args.claim_items, args.workers, args.seed)
                c = run.claims
                log(
                    f"    {c.wins:,} claims in {c.seconds:.2f} s = {c.wins / c.seconds:.1f} claims/s, "
                    f"{c.attempts / c.seconds:.1f} attempts/s; losses {c.losses:,}, errors {c.errors}, "
                    f"double claims {c.double_claims}"
                )
                if args.experiments:
                    log("  experiments: candidate fixes on the same data (bench/queues_experiments.py) …")
                    for timing, plan in queues_experiments.run(app, u, args.reps, log, measure, plan_of, fmt_timing):
                        run.experiments.append(timing)
                        run.plans[f"experiment: {timing.name} ({timing.note})"] = plan
            finally:
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
    return run


# ---------------------------------------------------------------- report


def check_goals(run: DatabaseRun) -> list[Goal]:
    goals = []
    if run.db == "postgres":
        pages = [t for t in run.timings if t.page]
        for counts in (False, True):
            group = [t for t in pages if t.counts is counts]
            worst = max(group, key=lambda t: t.pct(95))
            label = "with counts (as /staff/queue calls it)" if counts else "without counts"
            goals.append(
                Goal(
                    f"page p95 ≤ {P95_GOAL_MS:.0f} ms, {label}",
                    all(t.pct(95) <= P95_GOAL_MS for t in group),
                    f"worst: {worst.name} {worst.pct(95):.1f} ms; "
                    + ", ".join(f"{t.name.split(' (')[0].split(':')[0]} {t.pct(95):.1f}" for t in group),
                )
            )
    if run.claims:
        c = run.claims
        goals.append(
            Goal(
                "zero double claims",
                c.double_claims == 0 and c.wins == c.items and c.items_claimed == c.items,
                f"{c.wins:,} wins for {c.items:,} items, {c.items_claimed_once:,} updated once, "
                f"{c.audit_rows:,} audit rows ({c.audit_matching:,} matching the claimer), {c.errors} errors",
            )
        )
    return goals


def print_run(run: DatabaseRun) -> list[Goal]:
    print()
    print(f"== {run.db} {run.version} ==")
    load = run.load
    print(
        f"load ({load['method']}): {load['applications']:,} applications, {load['queue_items']:,} queue items, "
        f"{load['users']:,} users in {load['seconds']} s = {load['rows_per_s']:,} rows/s; "
        f"{load['analyze']} {load['analyze_seconds']} s"
    )
    if run.sizes:
        print("sizes: " + ", ".join(f"{k} {v}" for k, v in run.sizes.items()))
    u = run.unit
    print(f"unit: {u['code']} ({u['items']:,} items, {u['open_items']:,} open); biggest unit: {u['biggest_unit']}")
    print(f"{'query':<48} {'n':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  rows  note")
    for t in run.timings:
        counts = "" if t.counts is None else (" +counts" if t.counts else "")
        print(
            f"{(t.name + counts):<48} {len(t.samples_ms):>4} {t.pct(50):>8.2f} {t.pct(95):>8.2f} {t.pct(99):>8.2f} "
            f"{max(t.samples_ms):>8.2f}  {t.rows:>4}  {t.note}"
        )
    if run.claims:
        c = run.claims
        print(
            f"claims: {c.workers} workers, {c.items:,} items: {c.wins:,} wins "
            f"(per worker {', '.join(map(str, c.wins_per_worker))}), {c.losses:,} losses, {c.errors} errors; "
            f"{c.seconds:.2f} s = {c.wins / c.seconds:.1f} claims/s, {c.attempts / c.seconds:.1f} attempts/s"
        )
        if c.error_sample:
            print(f"  first error: {c.error_sample}")
    if run.experiments:
        print("\nexperiments (candidate fixes, not the portal's code):")
        for t in run.experiments:
            print(
                f"{t.name:<48} {len(t.samples_ms):>4} {t.pct(50):>8.2f} {t.pct(95):>8.2f} {t.pct(99):>8.2f} "
                f"{max(t.samples_ms):>8.2f}  {t.rows:>4}  {t.note}"
            )
    for name, plan in run.plans.items():
        print(f"\n-- plan: {name}\n{plan}")
    goals = check_goals(run)
    print()
    for g in goals:
        print(f"goal [{run.db}] {g.text}: {'met' if g.met else 'MISSED'} — {g.detail}")
    return goals


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("all", "sqlite", "postgres"), default="all")
    parser.add_argument("--pg-rows", type=int, default=1_000_000, help="applications on PostgreSQL")
    parser.add_argument("--sqlite-rows", type=int, default=100_000, help="applications on SQLite")
    parser.add_argument("--rows", type=int, help="applications on every database (overrides the two above)")
    parser.add_argument("--reps", type=int, default=200, help="timed repetitions per query")
    parser.add_argument("--workers", type=int, default=8, help="claiming threads")
    parser.add_argument("--claim-items", type=int, default=2000, help="items the workers race for")
    parser.add_argument("--pg-load", choices=("copy", "insert"), default="copy", help="bulk-load method")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print the query plans (EXPLAIN ANALYZE on PG)")
    parser.add_argument(
        "--experiments", action="store_true", help="afterwards, time candidate fixes (extra indexes, cursor forms)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    kinds = ["sqlite", "postgres"] if args.db == "all" else [args.db]
    if "postgres" in kinds and not postgres_answers():
        if args.db == "postgres":
            print(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}", file=sys.stderr)
            return 2
        print(f"(PostgreSQL does not answer on {PG_HOST}:{PG_PORT}: SQLite only)")
        kinds.remove("postgres")
    started = datetime.now(UTC)
    print(
        f"bench/queues.py {started:%Y-%m-%d %H:%M} UTC, {platform.node()}: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLAlchemy {sa.__version__}, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    runs, goals = [], []
    for kind in kinds:
        rows = args.rows or (args.pg_rows if kind == "postgres" else args.sqlite_rows)
        try:
            run = run_database(kind, rows, args)
        except (sa.exc.SQLAlchemyError, RuntimeError) as exc:
            print(f"[{kind}] the benchmark could not run: {exc}", file=sys.stderr)
            return 2
        runs.append(run)
        goals += [(kind, g) for g in print_run(run)]
    print(f"\nfinished {datetime.now(UTC):%H:%M} UTC; load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "started": started.isoformat(),
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "runs": [
                        {
                            "db": r.db,
                            "version": r.version,
                            "load": r.load,
                            "sizes": r.sizes,
                            "unit": r.unit,
                            "timings": [t.summary() for t in r.timings],
                            "claims": r.claims.summary() if r.claims else None,
                            "experiments": [t.summary() for t in r.experiments],
                            "plans": r.plans,
                        }
                        for r in runs
                    ],
                    "goals": [{"db": k, **asdict(g)} for k, g in goals],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    missed = [g for _k, g in goals if not g.met]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
