"""Load-test the portal's pages under gunicorn with wrk, beside a bare Flask "hello" app measured in the same run.

For SQLite (always) and PostgreSQL (when it answers on 127.0.0.1:5432) this script serves the portal, on a
throwaway database with content/ loaded and indexed, with ``gunicorn -w 4``, and ``bench/hello_app.py`` the same way;
warms every route, then loads each one with wrk (2 threads, 50 connections, 10 s by default); prints requests/s and
p50/p95/p99 latency per route and the ratio to the hello route (measured before and after the portal's routes; the
ratio uses their mean, and a baseline that moved by more than 25 % is flagged as a busy machine); and checks the
goals: list page ≥ 0.4 × hello throughput, page p95 ≤ 100 ms, zero errors. Setup: bench/harness.py.

Usage::

    .venv/bin/python bench/pages.py [--duration 10] [--connections 50] [--threads 2] [--db all|sqlite|postgres]
                                     [--strict] [--profile] [--json PATH]

Exit status: 0 when the benchmark ran (goals met or not), 1 with ``--strict`` when a goal was missed, 2 when the
benchmark itself could not run (no wrk, a server that does not start, a failed database setup).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from urllib.parse import quote, unquote

import harness
import profile_pages
from harness import Baseline, Goal

WARMUP_REQUESTS = 2 * harness.WORKERS  # per route, so that every worker has most likely seen it
LIST_RATIO_GOAL = 0.4
P95_GOAL_MS = 100.0
PAGE_ROUTES = ("home", "list", "detail", "policy")  # the HTML pages the p95 goal is about; the API is shown only


@dataclass
class Result:
    route: str
    path: str  # URL-encoded, as sent
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int  # connect + read + write + timeout
    detail: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def load(base_url: str, route: str, path: str, args: argparse.Namespace) -> Result:
    """Warm the route, then wrk it."""
    statuses = {harness.http_get(base_url + path)[0] for _ in range(WARMUP_REQUESTS)}
    if statuses != {200}:
        print(f"  warning: warm-up of {route} ({unquote(path)}) answered {sorted(statuses)}", flush=True)
    print(f"  wrk {route:<9} {base_url}{unquote(path)}", flush=True)
    f = harness.wrk(base_url + path, threads=args.threads, connections=args.connections, seconds=args.duration)
    seconds = f["duration_us"] / 1e6
    return Result(
        route, path, f["requests"], round(seconds, 2), round(f["requests"] / seconds, 1) if seconds else 0.0,
        *(f[k] / 1000 for k in ("p50_us", "p95_us", "p99_us", "max_us")), f["non2xx"], f["socket_errors"],
        {k: f[k] for k in ("connect", "read", "write", "timeout", "status")},
    )  # fmt: skip


def portal_routes(base_url: str) -> dict[str, str]:
    status, body = harness.http_get(base_url + "/api/v1/bases?per_page=1")
    items = json.loads(body)["items"] if status == 200 else []
    if not items:
        raise harness.BenchError(f"/api/v1/bases?per_page=1 answered {status} with no base: no detail page to load")
    return {
        "home": "/",
        "list": "/bases/?county=" + quote("镇平县"),
        "detail": "/bases/" + quote(items[0]["slug"]),
        "policy": "/policies/nanyang-2021-work-plan",
        "api": "/api/v1/bases?county=411324",
    }


def measure(app, hello: str, args: argparse.Namespace) -> tuple[list[Result], Baseline]:
    """hello, the portal's routes, hello again."""
    with harness.gunicorn("wsgi:app", harness.ROOT, harness.server_env(app), "portal") as portal:
        routes = portal_routes(portal)
        results = [load(hello, "hello", "/", args)]
        results += [load(portal, name, path, args) for name, path in routes.items()]
        results.append(load(hello, "hello/end", "/", args))
    if args.profile:
        profile_pages.profile(app, list(routes.values()))
    return results, Baseline("hello", results[0].rps, results[-1].rps)


def check_goals(results: list[Result], hello: Baseline, connections: int) -> list[Goal]:
    by_name = {r.route: r for r in results}
    listing = by_name["list"]
    worst = max((by_name[name] for name in PAGE_ROUTES), key=lambda r: r.p95_ms)
    errors = sum(r.errors for r in results)
    return [
        Goal(
            f"list page throughput ≥ {LIST_RATIO_GOAL:.1f} × hello",
            hello.ratio(listing.rps) >= LIST_RATIO_GOAL,
            f"{hello.ratio(listing.rps):.2f} × ({listing.rps:.0f} vs {hello.mean:.0f} req/s)",
        ),
        Goal(
            f"page p95 ≤ {P95_GOAL_MS:.0f} ms at {connections} connections",
            worst.p95_ms <= P95_GOAL_MS,
            f"worst {worst.p95_ms:.1f} ms ({worst.route})",
        ),
        Goal("zero errors (non-2xx + socket errors)", errors == 0, f"{errors} in {sum(r.requests for r in results)}"),
    ]


def columns(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def print_results(database: str, results: list[Result], hello: Baseline, args: argparse.Namespace) -> None:
    print(f"\n{database}: gunicorn -w {harness.WORKERS} (sync), wrk -t {args.threads} -c {args.connections} ", end="")
    print(f"-d {args.duration}s per route")
    paths = ["/ (bare Flask app)" if r.route.startswith("hello") else unquote(r.path) for r in results]
    width = max(columns(path) for path in [*paths, "path"])
    title = f"{'route':<9} path{' ' * (width - 4)} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
    print(title + f"{'errors':>6} {'×hello':>6}\n" + "-" * (len(title) + 13))
    for r, path in zip(results, paths, strict=True):
        print(
            f"{r.route:<9} {path}{' ' * (width - columns(path))} {r.rps:>8.1f} {r.p50_ms:>7.1f} "
            f"{r.p95_ms:>7.1f} {r.p99_ms:>7.1f} {r.errors:>6d} {hello.ratio(r.rps):>6.2f}"
        )
    print(f"×hello: relative to the mean of the two hello runs ({hello.mean:.0f} req/s).")
    if hello.warning():
        print(hello.warning())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per route (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--profile", action="store_true", help="also profile each route in-process afterwards")
    harness.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if args.duration < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--duration, --connections and --threads must be positive")
    if args.threads > args.connections:
        parser.error("--threads may not exceed --connections")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk_version = subprocess.run([harness.ensure_wrk(), "--version"], capture_output=True, text=True, check=False)
    started = harness.header("pages.py", wrk_version.stdout.split(" [")[0])
    kinds = harness.databases(args.db)
    runs, missed = [], []
    with harness.gunicorn("hello_app:app", harness.BENCH, harness.server_env(), "hello") as hello:
        for kind in kinds:
            database = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind]
            print(f"\n== {database}: preparing the database", flush=True)
            with harness.throwaway_portal(kind, "pages", search_index=True) as app:
                results, baseline = measure(app, hello, args)
            goals = check_goals(results, baseline, args.connections)
            print_results(database, results, baseline, args)
            harness.print_goals(goals, f"Goals ({database}):")
            runs.append(
                {"database": database, "results": [asdict(r) for r in results], "goals": [asdict(g) for g in goals]}
            )
            missed += [f"{database}: {goal.text}" for goal in goals if not goal.met]
    settings = {"duration_s": args.duration, "connections": args.connections, "threads": args.threads}
    harness.write_json(args.json, started, {"settings": settings, "runs": runs})
    print("\nAll goals met." if not missed else f"\nGoals missed: {'; '.join(missed)}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(harness.run(main))
