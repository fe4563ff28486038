"""What every benchmark in bench/ needs around what it measures, written once.

- Databases: `databases` turns ``--db all|sqlite|postgres`` into the list to run ("all" is SQLite, and PostgreSQL
  when it answers on 127.0.0.1:5432); `throwaway_portal` builds one — SQLite in a temporary directory, or
  ``bench_<name>_<random>`` created as ``postgres@127.0.0.1:5432`` and dropped ``WITH (FORCE)`` at the end — with
  its own ``PORTAL_DATA_DIR``, migrated and loaded with content/ (and indexed for search when asked).
- Servers: `gunicorn` serves an app with ``gunicorn -w 4 -b 127.0.0.1:<free port>`` (sync workers) in its own
  process group, stopped on every exit (SIGTERM, then SIGKILL to the group after 30 s).
- Load and timing: `wrk` runs the load generator with bench/wrk_report.lua and parses its ``BENCH`` line;
  `timed` is the in-process stopwatch; `Samples` holds latencies and their nearest-rank percentiles.
- Reports: `Baseline` (a reference measured before and after the figures read against it, in the same run),
  `Goal`, `header`, `CpuShare` (how busy the machine was), `write_json`, and `run`, which turns Ctrl-C and SIGTERM
  into a clean unwind (servers stopped, databases dropped) and a failed setup into exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import platform
import re
import resource
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/postgres"
WORKERS = 4  # gunicorn sync workers


class BenchError(RuntimeError):
    """The benchmark itself could not run (exit status 2)."""


def run(main: Callable[[], int], failures: tuple[type[BaseException], ...] = ()) -> int:
    """Call a benchmark's main: SIGTERM unwinds like Ctrl-C; BenchError (and `failures`) give exit status 2."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return main()
    except (BenchError, *failures) as exc:
        print(f"\nthe benchmark could not run: {exc}", file=sys.stderr)
        return 2


def add_common_arguments(parser: argparse.ArgumentParser, *, db: bool = True, json_file: bool = True) -> None:
    if db:
        parser.add_argument(
            "--db", choices=("all", "sqlite", "postgres"), default="all",
            help=f"databases to measure (default: SQLite, and PostgreSQL when it answers on {PG_HOST}:{PG_PORT})",
        )  # fmt: skip
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    if json_file:
        parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")


# ---------------------------------------------------------------------------------------------- databases


def postgres_answers() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return True
    except OSError:
        return False


def databases(choice: str) -> list[str]:
    """The databases ``--db`` names; "all" leaves PostgreSQL out (with a note) when it does not answer."""
    kinds = ["sqlite", "postgres"] if choice == "all" else [choice]
    if "postgres" in kinds and not postgres_answers():
        if choice == "postgres":
            raise BenchError(f"PostgreSQL is not answering on {PG_HOST}:{PG_PORT}")
        print(f"PostgreSQL is not answering on {PG_HOST}:{PG_PORT}: measuring SQLite only")
        kinds.remove("postgres")
    return kinds


def portal_app(url: str, data_dir: str | Path, **config: object):
    from portal import create_app, settle_for_serving

    Path(data_dir).mkdir(parents=True, exist_ok=True)
    settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PORTAL_DATA_DIR": str(data_dir)}
    app = create_app({**settings, **config})
    settle_for_serving(app)  # as wsgi.py does in every gunicorn worker
    return app


@contextlib.contextmanager
def throwaway_portal(kind: str, name: str, *, search_index: bool = False, **config: object) -> Iterator:
    """The portal's app on a new database: migrated, content/ loaded (as `flask content load` and tests/conftest.py
    do), and indexed for search when asked. The database and the data directory are removed at exit."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from portal.content.loader import apply_content, read_content
    from portal.extensions import db
    from portal.search import index

    with contextlib.ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-{name}-"))
        url = f"sqlite:///{data_dir}/bench.sqlite3"
        if kind == "postgres":
            db_name = f"bench_{name}_{secrets.token_hex(4)}"
            # pre_ping: the drop at the end must work after PostgreSQL was restarted (bench/load.py --faults)
            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
            stack.callback(admin.dispose)

            def admin_sql(sql: str) -> None:
                with admin.connect() as conn:
                    conn.exec_driver_sql(sql)

            admin_sql(f'CREATE DATABASE "{db_name}"')
            stack.callback(admin_sql, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            url = sa.make_url(PG_ADMIN_URL).set(database=db_name).render_as_string(hide_password=False)
        app = portal_app(url, data_dir, **config)

        @stack.callback
        def close() -> None:  # before the drop
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

        with app.app_context():
            upgrade()
            content = read_content(str(ROOT / "content"))
            if content.problems:
                raise BenchError("content/ has problems: " + "; ".join(str(p) for p in content.problems[:5]))
            apply_content(content)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()  # a server in another process may use the database next
            if search_index:
                store = index.for_app(app)
                store.rebuild()
                store.close()
        yield app


def server_env(app=None) -> dict[str, str]:
    """The environment of a server process: a random SECRET_KEY, plain-HTTP cookies, and `app`'s database."""
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FLASK_DEBUG", "DATABASE_URL")}
    env.pop("PORTAL_DATA_DIR", None)
    env.update(SECRET_KEY=secrets.token_hex(32), PORTAL_COOKIE_SECURE="0")
    if app is not None:
        env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], PORTAL_DATA_DIR=app.config["PORTAL_DATA_DIR"])
    return env


# ---------------------------------------------------------------------------------------------- servers


def venv_tool(name: str) -> str:
    """A console script of the project's virtualenv (or of the interpreter running this script)."""
    for directory in (ROOT / ".venv" / "bin", Path(sys.executable).parent):
        if (directory / name).exists():
            return str(directory / name)
    raise BenchError(f"{name} not found in .venv/bin: run `make install` first")


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class ServerURL(str):
    """A server's base URL that also knows its gunicorn master's pid (for benchmarks that kill workers or servers);
    the master leads its own process group."""

    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    app: str,
    cwd: Path,
    env: dict[str, str],
    label: str,
    timeout: float = 60.0,
    port: int | None = None,
    log_file: Path | None = None,
) -> Iterator[ServerURL]:
    """`gunicorn -w 4 -b 127.0.0.1:<free port> <app>` in its own process group, answering; yields its base URL
    (a `ServerURL`, whose ``pid`` is the master's). Its output goes to `log_file` when given (kept), else to a
    temporary file shown when it fails to start.

    Stopped on every exit: SIGTERM to the master (graceful), then SIGKILL to the process group after 30 s."""
    port = port or free_port()
    base_url = ServerURL(f"http://{HOST}:{port}")
    cmd = [venv_tool("gunicorn"), "-w", str(WORKERS), "-b", f"{HOST}:{port}", app]
    opened = open(log_file, "w+b") if log_file else tempfile.TemporaryFile()  # noqa: SIM115 (closed by `with`)
    with opened as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base_url.pid = proc.pid

        def failed(why: str) -> BenchError:
            log.seek(0)
            tail = log.read().decode(errors="replace").splitlines()[-30:]
            return BenchError(f"gunicorn ({label}) {why}:\n" + "\n".join(tail))

        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise failed(f"exited with {proc.returncode}")
                if time.monotonic() > deadline:
                    raise failed(f"did not answer within {timeout:.0f} s")
                with contextlib.suppress(OSError):
                    http_get(base_url + "/", timeout=2)
                    break
                time.sleep(0.2)
            yield base_url
        finally:
            stop_group(proc, signal.SIGTERM, grace=30)


def stop_group(proc: subprocess.Popen, sig: int, grace: float) -> None:
    """Ask a server started with `start_new_session` to stop (`sig`); after `grace` seconds kill its whole process
    group (master and workers share it; the master is not reaped yet, so the group id is still ours)."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# ---------------------------------------------------------------------------------------------- load and timing


def ensure_wrk() -> str:
    """Path of wrk; installs the Debian package when running as root, else explains and fails (exit status 2)."""
    found = shutil.which("wrk")
    if not found and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is not installed: trying `apt-get install -y wrk` …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False)
        found = shutil.which("wrk")
    if not found:
        raise BenchError(
            "this benchmark needs the load generator wrk (https://github.com/wg/wrk), which is not installed.\n"
            "Install it (`sudo apt-get install wrk` on Debian/Ubuntu, `brew install wrk` on macOS) and run again."
        )
    return found


def wrk(
    url: str,
    *,
    threads: int,
    connections: int,
    seconds: int,
    timeout: str = "5s",
    headers: dict[str, str] | None = None,
) -> dict[str, int]:
    """One wrk run; the counters of bench/wrk_report.lua's ``BENCH`` line (requests, duration_us, p95_us, …).
    `headers` are sent with every request (e.g. a logged-in session's Cookie)."""
    cmd = [
        ensure_wrk(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", timeout,
        "-s", str(BENCH / "wrk_report.lua"),
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    match = re.search(r"^BENCH (.*)$", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or not match:
        raise BenchError(f"wrk failed on {url} (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return {key: int(value) for key, value in (pair.split("=") for pair in match.group(1).split())}


def timed(call: Callable[..., object], *args: object) -> tuple[float, object]:
    """(milliseconds, result) of one call."""
    start = time.perf_counter()
    result = call(*args)
    return (time.perf_counter() - start) * 1000, result


@dataclass
class Samples:
    """Latencies of one measured thing, in ms, with nearest-rank percentiles."""

    label: str
    ms: list[float] = field(default_factory=list)

    def pct(self, p: float) -> float:
        ordered = sorted(self.ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def max(self) -> float:
        return max(self.ms)

    def figures(self) -> dict[str, float]:
        return {
            "n": len(self.ms),
            **{f"p{p}_ms": round(self.pct(p), 2) for p in (50, 95, 99)},
            "max_ms": round(self.max, 2),
        }

    def row(self, width: int = 48, digits: int = 2) -> str:
        """``label  n  p50  p95  p99  max``, matching `row_header`."""
        figures = " ".join(f"{v:>8.{digits}f}" for v in (self.pct(50), self.pct(95), self.pct(99), self.max))
        return f"{self.label:<{width}} {len(self.ms):>4} {figures}"


def row_header(width: int = 48, first: str = "") -> str:
    return f"{first:<{width}} {'n':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}"


# ---------------------------------------------------------------------------------------------- reports


@dataclass
class Baseline:
    """A reference figure measured before and after the figures read against it: its mean is the yardstick, and
    a reference that moved by more than `noise` between the two says that something else used the machine."""

    name: str
    before: float = 0.0
    after: float = 0.0
    noise: float = 0.25

    @property
    def mean(self) -> float:
        values = [v for v in (self.before, self.after) if v]
        return sum(values) / len(values) if values else 0.0

    def ratio(self, value: float) -> float:
        return value / self.mean if self.mean else 0.0

    @property
    def drift(self) -> float:
        high = max(self.before, self.after)
        return abs(self.after - self.before) / high if self.before and self.after else 0.0

    def warning(self) -> str:
        if self.drift <= self.noise:
            return ""
        return (
            f"Note: the {self.name} baseline moved by {self.drift:.0%} during this run: something else was using the "
            "CPU. Compare ratios, not absolute figures, and consider running again."
        )


@dataclass
class Goal:
    text: str
    met: bool
    figure: str


def print_goals(goals: list[Goal], title: str = "goals") -> None:
    print(f"\n{title}")
    for goal in goals:
        print(f"  [{'met' if goal.met else 'MISSED':<6}] {goal.text}: {goal.figure}")


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def header(name: str, *versions: str) -> datetime:
    """Print what ran where and when; returns the start time."""
    started = datetime.now(UTC)
    about = ", ".join([f"Python {platform.python_version()}", *versions, load_average()])
    print(f"bench/{name} — {started:%Y-%m-%d %H:%M} UTC, {platform.node()}: {os.cpu_count()} CPUs, {about}")
    return started


class CpuShare:
    """How much CPU other processes used while we ran: the machine is shared, so say how busy it was."""

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float]:
        busy = 0.0
        with contextlib.suppress(OSError), open("/proc/stat") as stat:
            values = [int(x) for x in stat.readline().split()[1:]]
            busy = (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")
        own = sum(t for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for t in resource.getrusage(who)[:2])
        return time.monotonic(), busy, own

    def others(self) -> str:
        (t0, busy0, own0), (t1, busy1, own1) = self.start, self._sample()
        if not busy1:
            return "CPU use of other processes unknown (no /proc/stat)"
        share = max(0.0, (busy1 - busy0) - (own1 - own0)) / (t1 - t0)
        return f"other processes used {share:.2f} of {os.cpu_count()} cores on average during the run"


def write_json(path: Path | None, started: datetime, payload: dict) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    about = {"started": started.isoformat(), "cpus": os.cpu_count(), "python": platform.python_version()}
    path.write_text(json.dumps({**about, **payload}, ensure_ascii=False, indent=2, default=str))
