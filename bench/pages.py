"""Load-test the portal's pages under gunicorn with wrk, beside a bare Flask "hello" app measured in the same run.

For SQLite (always) and PostgreSQL (when it answers on 127.0.0.1:5432) this script

1. builds a throwaway database (`flask db upgrade`, `flask content load`, and `flask search reindex` when that
   command exists),
2. serves the portal with ``gunicorn -w 4 wsgi:app`` on a free loopback port, and ``bench/hello_app.py`` the same
   way on another,
3. warms every route, then loads each one with wrk (2 threads, 50 connections, 10 s by default),
4. prints requests/s and p50/p95/p99 latency per route, the ratio to the hello route (measured before and after
   the portal's routes; the ratio uses their mean, and a baseline that moved by more than 25 % is flagged as a busy
   machine), and the goals: list page ≥ 0.4 × hello throughput, page p95 ≤ 100 ms, zero errors.

Usage::

    .venv/bin/python bench/pages.py [--duration 10] [--connections 50] [--db all|sqlite|postgres]
                                     [--strict] [--profile] [--json PATH]

Exit status: 0 when the benchmark ran (goals met or not), 1 with ``--strict`` when a goal was missed, 2 when the
benchmark itself could not run (no wrk, a server that does not start, a failed database setup).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, unquote

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
VENV_BIN = ROOT / ".venv" / "bin"
LUA_REPORT = BENCH / "wrk_report.lua"
HOST = "127.0.0.1"
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"

WORKERS = 4
WRK_TIMEOUT = "5s"  # a request slower than this counts as a (timeout) error
WARMUP_REQUESTS = 2 * WORKERS  # per route, so that every worker has most likely seen it

LIST_RATIO_GOAL = 0.4
P95_GOAL_MS = 100.0

HELLO = "hello"  # measured first …
HELLO_AFTER = "hello/end"  # … and again last, to see whether the machine's load changed meanwhile
NOISE_LIMIT = 0.25  # relative change of the hello baseline above which the figures are flagged
PAGE_ROUTES = ("home", "list", "detail", "policy")  # the HTML pages the p95 goal is about


class BenchError(RuntimeError):
    """The benchmark itself could not run."""


@dataclass
class Route:
    name: str
    path: str  # URL-encoded, as sent


@dataclass
class Result:
    route: str
    path: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    detail: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


@dataclass
class Goal:
    text: str
    met: bool
    figure: str


@dataclass
class DatabaseRun:
    database: str
    results: list[Result]
    goals: list[Goal]

    def hello_rps(self) -> float:
        """The baseline: mean throughput of the hello route measured before and after the portal's routes."""
        figures = [r.rps for r in self.results if r.route in (HELLO, HELLO_AFTER)]
        return sum(figures) / len(figures) if figures else 0.0

    def hello_drift(self) -> float:
        by_name = {r.route: r.rps for r in self.results}
        before, after = by_name.get(HELLO, 0.0), by_name.get(HELLO_AFTER, 0.0)
        return abs(after - before) / max(before, after) if before and after else 0.0


# ---------------------------------------------------------------------------------------------- helpers


def venv_tool(name: str) -> str:
    """A console script of the project's virtualenv (or of the interpreter running this script)."""
    for directory in (VENV_BIN, Path(sys.executable).parent):
        candidate = directory / name
        if candidate.exists():
            return str(candidate)
    raise BenchError(f"{name} not found in {VENV_BIN}: run `make install` first")


def ensure_wrk() -> str:
    """Path of wrk; installs the Debian package when running as root, else explains and exits 2."""
    found = shutil.which("wrk")
    if found:
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is not installed: trying `apt-get install -y wrk` …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False)
        found = shutil.which("wrk")
        if found:
            return found
    print(
        "This benchmark needs the load generator wrk (https://github.com/wg/wrk), which is not installed.\n"
        "Install it, e.g. `sudo apt-get install wrk` on Debian/Ubuntu or `brew install wrk` on macOS, and run again.",
        file=sys.stderr,
    )
    sys.exit(2)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def postgres_answers() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return True
    except OSError:
        return False


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("FLASK_APP", "FLASK_DEBUG", "DATABASE_URL", "PORTAL_DATA_DIR"):
        env.pop(name, None)
    env["SECRET_KEY"] = secrets.token_hex(32)
    env["PORTAL_COOKIE_SECURE"] = "0"
    return env


def run_checked(cmd: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        raise BenchError(f"{what} failed (exit {proc.returncode}); last lines of its output:\n{tail}")
    return proc


def prepare_database(env: dict[str, str]) -> None:
    """Migrate, load the content and (when the command exists) build the search index."""
    flask = [venv_tool("flask"), "--app", "portal"]
    run_checked([*flask, "db", "upgrade"], env, "flask db upgrade")
    run_checked([*flask, "content", "load"], env, "flask content load")
    probe = subprocess.run([*flask, "search", "--help"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if probe.returncode == 0 and "reindex" in probe.stdout:
        run_checked([*flask, "search", "reindex", "--quiet"], env, "flask search reindex")


@contextlib.contextmanager
def sqlite_database() -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        env = base_env()
        env["PORTAL_DATA_DIR"] = tmp
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        prepare_database(env)
        yield env


@contextlib.contextmanager
def postgres_database() -> Iterator[dict[str, str]]:
    import psycopg

    name = f"bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
            env = base_env()
            env["PORTAL_DATA_DIR"] = tmp
            env["DATABASE_URL"] = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
            prepare_database(env)
            yield env
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Gunicorn:
    """`gunicorn -w 4 -b 127.0.0.1:<port> <app>` in its own process group, always stopped on exit."""

    def __init__(self, app: str, cwd: Path, env: dict[str, str], label: str) -> None:
        self.app, self.cwd, self.env, self.label = app, cwd, env, label
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.log_path: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        cmd = [venv_tool("gunicorn"), "-w", str(WORKERS), "-b", f"{HOST}:{self.port}", self.app]
        # The child keeps its own copy of the log's file descriptor; ours closes with the block.
        with tempfile.NamedTemporaryFile("w", prefix="bench-gunicorn-", suffix=".log", delete=False) as log:
            self.log_path = Path(log.name)
            self.proc = subprocess.Popen(
                cmd, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _wait_until_answering(self, timeout: float = 60.0) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn ({self.label}) exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                http_get(self.base_url + "/", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise BenchError(f"gunicorn ({self.label}) did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to the master (graceful), then SIGKILL to the process group if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                # Master and workers share a process group (start_new_session); the master is not reaped yet,
                # so the group id is still ours.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------- measuring

BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


def run_wrk(wrk: str, url: str, route: Route, args: argparse.Namespace) -> Result:
    cmd = [
        wrk,
        "-t", str(args.threads),
        "-c", str(args.connections),
        "-d", f"{args.duration}s",
        "--timeout", WRK_TIMEOUT,
        "-s", str(LUA_REPORT),
        url,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    match = BENCH_LINE.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise BenchError(f"wrk failed on {url} (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    fields = {key: int(value) for key, value in (pair.split("=") for pair in match.group(1).split())}
    seconds = fields["duration_us"] / 1e6
    return Result(
        route=route.name,
        path=route.path,
        requests=fields["requests"],
        seconds=round(seconds, 2),
        rps=round(fields["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=fields["p50_us"] / 1000,
        p95_ms=fields["p95_us"] / 1000,
        p99_ms=fields["p99_us"] / 1000,
        max_ms=fields["max_us"] / 1000,
        non2xx=fields["non2xx"],
        socket_errors=fields["socket_errors"],
        detail={k: fields[k] for k in ("connect", "read", "write", "timeout", "status")},
    )


def warm_up(base_url: str, route: Route) -> None:
    statuses = set()
    for _ in range(WARMUP_REQUESTS):
        status, _body = http_get(base_url + route.path)
        statuses.add(status)
    if statuses != {200}:
        print(f"  warning: warm-up of {route.name} ({unquote(route.path)}) answered {sorted(statuses)}", flush=True)


def portal_routes(base_url: str) -> list[Route]:
    status, body = http_get(base_url + "/api/v1/bases?per_page=1")
    if status != 200:
        raise BenchError(f"/api/v1/bases?per_page=1 answered {status}: cannot pick a detail page")
    items = json.loads(body)["items"]
    if not items:
        raise BenchError("the database has no incubation bases: cannot pick a detail page")
    slug = items[0]["slug"]
    return [
        Route("home", "/"),
        Route("list", "/bases/?county=" + quote("镇平县")),
        Route("detail", "/bases/" + quote(slug)),
        Route("policy", "/policies/nanyang-2021-work-plan"),
        Route("api", "/api/v1/bases?county=411324"),
    ]


def measure_database(
    database: str, env: dict[str, str], hello: Gunicorn, wrk: str, args: argparse.Namespace
) -> DatabaseRun:
    results: list[Result] = []
    with Gunicorn("wsgi:app", ROOT, env, f"portal on {database}") as portal:
        routes = portal_routes(portal.base_url)
        hello_route = Route(HELLO, "/")
        warm_up(hello.base_url, hello_route)
        for route in routes:
            warm_up(portal.base_url, route)
        print(f"  wrk {HELLO:<9} {hello.base_url}/", flush=True)
        results.append(run_wrk(wrk, hello.base_url + "/", hello_route, args))
        for route in routes:
            print(f"  wrk {route.name:<9} {portal.base_url}{unquote(route.path)}", flush=True)
            results.append(run_wrk(wrk, portal.base_url + route.path, route, args))
        print(f"  wrk {HELLO_AFTER:<9} {hello.base_url}/", flush=True)
        results.append(run_wrk(wrk, hello.base_url + "/", Route(HELLO_AFTER, "/"), args))
        if args.profile:
            profile(env, [route.path for route in routes])
    run = DatabaseRun(database=database, results=results, goals=[])
    run.goals = check_goals(run, args.connections)
    return run


def profile(env: dict[str, str], paths: list[str]) -> None:
    cmd = [sys.executable, str(BENCH / "profile_pages.py"), *paths]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    print(proc.stdout + proc.stderr, flush=True)


def check_goals(run: DatabaseRun, connections: int) -> list[Goal]:
    results = run.results
    by_name = {r.route: r for r in results}
    hello_rps, listing = run.hello_rps(), by_name["list"]
    ratio = listing.rps / hello_rps if hello_rps else 0.0
    pages = [by_name[name] for name in PAGE_ROUTES]
    worst = max(pages, key=lambda r: r.p95_ms)
    errors = sum(r.errors for r in results)
    return [
        Goal(
            f"list page throughput ≥ {LIST_RATIO_GOAL:.1f} × hello",
            ratio >= LIST_RATIO_GOAL,
            f"{ratio:.2f} × ({listing.rps:.0f} vs {hello_rps:.0f} req/s)",
        ),
        Goal(
            f"page p95 ≤ {P95_GOAL_MS:.0f} ms at {connections} connections",
            worst.p95_ms <= P95_GOAL_MS,
            f"worst {worst.p95_ms:.1f} ms ({worst.route})",
        ),
        Goal("zero errors (non-2xx + socket errors)", errors == 0, f"{errors} in {sum(r.requests for r in results)}"),
    ]


# ---------------------------------------------------------------------------------------------- reporting


def shown_path(result: Result) -> str:
    return "/ (bare Flask app)" if result.route in (HELLO, HELLO_AFTER) else unquote(result.path)


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def print_run(run: DatabaseRun, args: argparse.Namespace) -> None:
    hello_rps = run.hello_rps()
    print(
        f"\n{run.database}: gunicorn -w {WORKERS} (sync), wrk -t {args.threads} -c {args.connections} "
        f"-d {args.duration}s per route"
    )
    paths = [shown_path(r) for r in run.results]
    width = max(display_width(path) for path in [*paths, "path"])
    header = f"{'route':<9} {'path'}{' ' * (width - 4)} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    header += f" {'errors':>6} {'×hello':>6}"
    print(header)
    print("-" * len(header))
    for r, path in zip(run.results, paths, strict=True):
        ratio = r.rps / hello_rps if hello_rps else 0.0
        print(
            f"{r.route:<9} {path}{' ' * (width - display_width(path))} {r.rps:>8.1f} {r.p50_ms:>7.1f} "
            f"{r.p95_ms:>7.1f} {r.p99_ms:>7.1f} {r.errors:>6d} {ratio:>6.2f}"
        )
    print(f"×hello: relative to the mean of the two hello runs ({hello_rps:.0f} req/s).")
    if run.hello_drift() > NOISE_LIMIT:
        print(
            f"Note: the hello baseline moved by {run.hello_drift():.0%} during this run: something else was using the "
            "CPU. Compare ratios, not absolute figures, and consider running again."
        )
    print(f"Goals ({run.database}):")
    for goal in run.goals:
        print(f"  [{'met' if goal.met else 'MISSED':<6}] {goal.text}: {goal.figure}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per route (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--db", choices=("all", "sqlite", "postgres"), default="all",
        help="databases to measure (default: SQLite, and PostgreSQL when it answers on 127.0.0.1:5432)",
    )  # fmt: skip
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--profile", action="store_true", help="also profile each route in-process afterwards")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--duration, --connections and --threads must be positive")
    if args.threads > args.connections:
        parser.error("--threads may not exceed --connections")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = ensure_wrk()
    # A SIGTERM unwinds like Ctrl-C, so the servers are stopped and the throwaway database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    databases: list[tuple[str, contextlib.AbstractContextManager[dict[str, str]]]] = []
    if args.db in ("all", "sqlite"):
        databases.append(("SQLite", sqlite_database()))
    if args.db in ("all", "postgres"):
        if postgres_answers():
            databases.append(("PostgreSQL", postgres_database()))
        elif args.db == "postgres":
            print(f"PostgreSQL is not answering on {PG_HOST}:{PG_PORT}", file=sys.stderr)
            return 2
        else:
            print(f"PostgreSQL is not answering on {PG_HOST}:{PG_PORT}: measuring SQLite only")

    started = datetime.now().astimezone()
    print(
        f"bench/pages.py — {started:%Y-%m-%d %H:%M %Z}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{subprocess.run([wrk, '--version'], capture_output=True, text=True, check=False).stdout.split(' [')[0]}"
    )
    runs: list[DatabaseRun] = []
    try:
        with Gunicorn("hello_app:app", BENCH, base_env(), "hello") as hello:
            for database, setup in databases:
                print(f"\n== {database}: preparing the database", flush=True)
                with setup as env:
                    run = measure_database(database, env, hello, wrk, args)
                runs.append(run)
                print_run(run, args)
    except BenchError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 2

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "started": started.isoformat(),
            "cpus": os.cpu_count(),
            "settings": {"duration_s": args.duration, "connections": args.connections, "threads": args.threads},
            "runs": [asdict(run) for run in runs],
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2))

    missed = [f"{run.database}: {goal.text}" for run in runs for goal in run.goals if not goal.met]
    print("\nAll goals met." if not missed else f"\nGoals missed: {'; '.join(missed)}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
