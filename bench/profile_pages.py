"""Profile portal routes in-process: time per request, SQL statements per request and where the time goes.

`bench/pages.py --profile` runs `profile` on its throwaway database after the load test; this file also runs alone
against whatever DATABASE_URL / PORTAL_DATA_DIR the environment names::

    .venv/bin/python bench/profile_pages.py --requests 50 / '/bases/?county=%E9%95%87%E5%B9%B3%E5%8E%BF'

One process, one thread, Flask's test client: the figures show the cost of a request inside the app, without
gunicorn or the network, so they explain (rather than repeat) the throughput measured by wrk.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import Counter
from urllib.parse import unquote

import harness
import sqlalchemy as sa

ROOT = harness.ROOT

# (marker in a code object's file name, bucket) — first match wins.
BUCKETS: tuple[tuple[str, str], ...] = (
    ("/portal/templates/", "templates (rendering)"),
    (".html", "templates (rendering)"),
    ("/jinja2/", "jinja2"),
    ("/sqlalchemy/", "sqlalchemy"),
    ("/psycopg/", "psycopg"),
    ("/flask_babel/", "babel"),
    ("/babel/", "babel"),
    ("/flask_login/", "flask extensions"),
    ("/flask_wtf/", "flask extensions"),
    ("/flask_limiter/", "flask extensions"),
    ("/limits/", "flask extensions"),
    ("/flask_sqlalchemy/", "flask extensions"),
    ("/werkzeug/", "werkzeug"),
    ("/flask/", "flask"),
    ("/markupsafe/", "markupsafe"),
    (str(ROOT / "portal"), "portal code"),
)


class StatementCounter:
    """Counts SQL statements sent through any SQLAlchemy engine, and keeps the last request's."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.count += 1
        self.statements.append(" ".join(statement.split()))


def bucket_of(filename: str, funcname: str) -> str:
    for marker, bucket in BUCKETS:
        if marker in filename:
            return bucket
    if filename == "~":  # C functions: name the extension that does the work
        if "sqlite3" in funcname:
            return "sqlite3 (C)"
        return "builtins (C)"
    return "other"


def short(filename: str) -> str:
    for anchor in ("site-packages/", str(ROOT) + "/"):
        if anchor in filename:
            return filename.split(anchor, 1)[1]
    return filename


def profile_route(client, path: str, requests: int, counter: StatementCounter, show_sql: bool) -> None:
    for _ in range(3):  # warm caches (templates, translations, metadata)
        counter.statements.clear()
        client.get(path)
    one_request = list(counter.statements)

    counter.count = 0
    statuses: Counter[int] = Counter()
    start = time.perf_counter()
    for _ in range(requests):
        statuses[client.get(path).status_code] += 1
    elapsed = time.perf_counter() - start
    per_request_ms = elapsed / requests * 1000
    sql_per_request = counter.count / requests

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict = stats.stats  # type: ignore[attr-defined]

    buckets: Counter[str] = Counter()
    total_tt = 0.0
    for (filename, _line, funcname), (_cc, _nc, tt, _ct, _callers) in raw.items():
        buckets[bucket_of(filename, funcname)] += tt
        total_tt += tt

    status_text = ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
    print(f"\n{unquote(path)}")
    print(f"  {per_request_ms:.2f} ms/request in-process, {sql_per_request:.1f} SQL statements/request ({status_text})")
    shares = ", ".join(f"{name} {tt / total_tt:.0%}" for name, tt in buckets.most_common(6) if total_tt)
    print(f"  time by package (self time, under cProfile): {shares}")
    print("  top functions by self time (ms/request):")
    top = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:8]
    for (filename, line, funcname), (_cc, nc, tt, _ct, _callers) in top:
        where = funcname if filename == "~" else f"{short(filename)}:{line}({funcname})"
        print(f"    {tt / requests * 1000:7.3f}  {nc / requests:7.1f} calls  {where}")
    if show_sql:
        print("  SQL statements of one request:")
        for statement in one_request:
            print(f"    {statement[:160]}")


def profile(app, paths: list[str], requests: int = 50, show_sql: bool = False) -> None:
    counter = StatementCounter()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", counter)
    try:
        driver = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
        print(f"In-process profile ({requests} requests per path, {driver})")
        for path in paths:
            profile_route(app.test_client(), path, requests, counter, show_sql)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", counter)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="paths to request, URL-encoded, e.g. /bases/?county=...")
    parser.add_argument("--requests", type=int, default=50, help="requests per path (default 50)")
    parser.add_argument("--sql", action="store_true", help="also list the SQL statements of one request")
    args = parser.parse_args(argv)
    from portal import create_app

    profile(create_app(), args.paths, args.requests, args.sql)
    return 0


if __name__ == "__main__":
    sys.exit(main())
