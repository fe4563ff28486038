"""Mixed load on the portal under gunicorn: browsing, search, logged-in pages and real submissions, with faults.

For SQLite (always) and PostgreSQL (when it answers on 127.0.0.1:5432) this script serves the portal, on a
throwaway database with content/ loaded and indexed (bench/harness.py), with ``gunicorn -w 4``, creates the
accounts beforehand (applicants, staff of 镇平县人社局) and logs them in, then runs ``--users`` virtual users
(50) for ``--duration`` seconds (120) with an asyncio/httpx client of its own. Each user loops without pause over
actions drawn at random:

- 70 % browsing as an anonymous visitor: home, list pages, detail pages, policy guides;
- 15 % search (`/search?q=…`, the queries of bench/search-queries.yaml);
- 10 % logged-in pages: an applicant's 我的申请 (`/my/applications`) or a staff member's queue (`/staff/queue`);
- 5 % a submission: the loan (first one of an account) or training form read for its CSRF token and form key,
  posted with a PDF business plan and 提交申请, and the receipt read; the tracking number is kept.

It prints requests/s and p50/p95/p99 per route beside the bare Flask route (``bench/hello_app.py``) measured in the
same run — with wrk before and after, and with this same client — and the logged-in pages alone under wrk (their
session cookie sent), for the throughput ratio. Afterwards it reads the database: every submission a client saw
answered exists exactly once, with its attachment (bytes and sha256) and its queue item, and nothing is half
written. Goals: zero errors; p95 ≤ 100 ms for pages, ≤ 300 ms for submissions; logged-in pages ≥ 0.25 × the bare
route's throughput.

``--faults`` runs the load with faults instead: a gunicorn worker is killed with SIGKILL every 20 s and, on
PostgreSQL, the server is restarted once halfway (``pg_ctlcluster``, as root; started again in any case at the
end). Clients retry a submission that got no answer with the same form (same form key, as a browser's retry would);
the goals are then the integrity checks only (errors are counted and shown).

Usage::

    .venv/bin/python bench/load.py [--duration 120] [--users 50] [--db all|sqlite|postgres] [--faults]
                                   [--kill-every 20] [--wrk-seconds 10] [--strict] [--json PATH]

Exit status: 0 when the benchmark ran (goals met or not), 1 with ``--strict`` when a goal was missed, 2 when it
could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import hashlib
import logging
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import harness
import httpx
import yaml
from harness import Baseline, Goal

PASSWORD = "bench-pass-2026"  # noqa: S105 (the throwaway accounts of a throwaway database)
UNIT = "411324-hrss"  # 镇平县人社局: applications from 镇平县 (411324) are routed there
COUNTY = "411324"
USER_AGENT = "portal-bench/1 (bench/load.py)"
PAGE_P95_MS = 100.0
SUBMIT_P95_MS = 300.0
LOGGED_IN_RATIO = 0.25
MIX = (("browse", 0.70), ("search", 0.15), ("logged_in", 0.10), ("submit", 0.05))
BROWSE = (("home", 0.20), ("list", 0.25), ("detail", 0.35), ("policy", 0.20))
SUBMIT_ROUTES = ("submit",)
SURNAMES = "张王李赵刘陈杨黄周吴"
GIVEN = "建国红梅志强秀英海涛丽娟春生"


def sample_pdf(kib: int = 40) -> bytes:
    """A PDF business plan of about `kib` KiB (recognised by its first bytes, like a scan would be)."""
    filler = b"% business plan page filler 0123456789\n" * (kib * 1024 // 40)
    return b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\n" + filler + b"trailer<<>>\n%%EOF\n"


PDF = sample_pdf()
PDF_SHA256 = hashlib.sha256(PDF).hexdigest()


def id_number(k: int) -> str:
    """A valid 身份证号 of 镇平县 for person k: born 1975-01-01 + k days (adult), sequence k."""
    from stdnum.cn import ric

    body = f"{COUNTY}{date(1975, 1, 1) + timedelta(days=k):%Y%m%d}{k % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


# ---------------------------------------------------------------------------------------------- accounts


@dataclass
class Account:
    phone: str
    role: str
    name: str
    id_number: str = ""
    loan_used: bool = False
    client: httpx.AsyncClient | None = None

    def cookie_header(self) -> str:
        assert self.client is not None
        return "; ".join(f"{name}={value}" for name, value in self.client.cookies.items())


def create_accounts(app, applicants: int, staff: int, editors: int = 0) -> dict[str, list[Account]]:
    """Accounts made beforehand, as an administrator would (argon2 hashes take a while: not timed)."""
    from portal.accounts import services
    from portal.extensions import db

    made: dict[str, list[Account]] = {"applicant": [], "staff": [], "editor": []}
    with app.app_context():
        for role, count, prefix in (
            ("applicant", applicants, "1390"),
            ("staff", staff, "1370"),
            ("editor", editors, "1360"),
        ):
            for k in range(count):
                name = SURNAMES[k % 10] + GIVEN[(k // 10) % 14] + ("" if k < 140 else GIVEN[(k // 140) % 14])
                account = Account(f"{prefix}{k:07d}", role, name, id_number(k) if role == "applicant" else "")
                services.create_user(role, account.phone, name, PASSWORD, unit_code=UNIT if role == "staff" else None)
                made[role].append(account)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return made


def new_client(base_url: str, connections: int = 4) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(30.0),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        follow_redirects=False,
    )


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|type="hidden" name="csrf_token" value="([^"]+)"')
FORM_KEY_RE = re.compile(r'id="form_key" name="form_key" type="hidden" value="([^"]*)"')
RECEIPT_RE = re.compile(r"/my/applications/([^/?#]+)/receipt")


def csrf_of(html: str) -> str | None:
    match = CSRF_RE.search(html)
    return (match.group(1) or match.group(2)) if match else None


async def login(account: Account, base_url: str, tries: int = 3) -> None:
    """Log in through the form (CSRF token included); the account's client keeps the session cookie. Setup, not
    measured: a failure is tried again (and said)."""
    account.client = account.client or new_client(base_url)
    for attempt in range(1, tries + 1):
        page = await account.client.get("/account/login")
        answer = await account.client.post(
            "/account/login",
            data={"csrf_token": csrf_of(page.text) or "", "phone": account.phone, "password": PASSWORD},
        )
        if answer.status_code == 302:
            return
        print(f"  (setup) login of {account.role} {account.phone} answered {answer.status_code} (try {attempt})")
        await asyncio.sleep(1)
    raise harness.BenchError(f"login of {account.role} {account.phone} answered {answer.status_code}")


async def login_all(accounts: list[Account], base_url: str, parallel: int = 8) -> None:
    gate = asyncio.Semaphore(parallel)

    async def one(account: Account) -> None:
        async with gate:
            await login(account, base_url)

    await asyncio.gather(*(one(a) for a in accounts))


# ---------------------------------------------------------------------------------------------- recording


@dataclass
class Submission:
    """One submission as a client saw it: its form key, and the tracking number once a receipt was answered."""

    form_key: str
    kind: str
    phone: str
    tracking_no: str | None = None
    attempts: int = 0
    failures: list[str] = field(default_factory=list)


class Recorder:
    """Latencies (answered with the expected status) and errors per route, and the submissions seen."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter[str] = collections.Counter()
        self.kinds: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self.submissions: list[Submission] = []
        self.seconds = 0.0

    def ok(self, route: str, ms: float) -> None:
        self.ms[route].append(ms)

    def fail(self, route: str, why: str) -> None:
        self.errors[route] += 1
        self.kinds[route][why] += 1

    async def call(self, route: str, client: httpx.AsyncClient, method: str, url: str, expect=(200,), **kw):
        """One request, timed; None on a socket error (counted), the response otherwise (non-expected counted)."""
        start = time.perf_counter()
        try:
            response = await client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.fail(route, type(exc).__name__)
            return None
        ms = (time.perf_counter() - start) * 1000
        if response.status_code in expect:
            self.ok(route, ms)
        else:
            self.fail(route, f"HTTP {response.status_code}")
        return response


# ---------------------------------------------------------------------------------------------- the users


@dataclass
class Targets:
    """What the users browse and search, read from the portal's own API once."""

    lists: list[str]
    details: list[str]
    policies: list[str]
    queries: list[str]


def read_targets(base_url: str) -> Targets:
    def items(kind: str) -> list[dict]:
        status, body = harness.http_get(f"{base_url}/api/v1/{kind}?per_page=100")
        return __import__("json").loads(body)["items"] if status == 200 else []

    details = [
        f"/{kind}/{quote(item['slug'])}" for kind in ("bases", "parks", "projects", "mentors") for item in items(kind)
    ]
    policies = [f"/policies/{quote(item['slug'])}" for item in items("policies")]
    counties = ("镇平县", "内乡县", "西峡县", "邓州市", "卧龙区")
    lists = ["/bases/", "/parks/", "/projects/", "/mentors/", "/policies/", "/units/"]
    lists += ["/bases/?county=" + quote(c) for c in counties]
    queries = [entry["q"] for entry in yaml.safe_load((harness.BENCH / "search-queries.yaml").read_text())]
    if not details or not policies:
        raise harness.BenchError("the API lists no base or policy: nothing to browse")
    return Targets(lists, details, policies, queries)


def pick(rng: random.Random, table) -> str:
    x, total = rng.random(), 0.0
    for name, weight in table:
        total += weight
        if x < total:
            return name
    return table[-1][0]


class Crowd:
    """The virtual users of one run, with what they share: the anonymous client, the accounts, the recorder."""

    def __init__(self, base_url: str, targets: Targets, accounts: dict[str, list[Account]], users: int, seed: int):
        self.base_url = base_url
        self.targets = targets
        self.applicants = accounts["applicant"]
        self.staff = accounts["staff"]
        self.users = users
        self.anonymous = new_client(base_url, connections=users)
        self.free = collections.deque(self.applicants)  # accounts not submitting right now, least recently used first
        self.rec = Recorder()
        self.seed = seed
        self.retries = 0

    async def close(self) -> None:
        await self.anonymous.aclose()

    async def browse(self, rng: random.Random) -> None:
        what = pick(rng, BROWSE)
        t = self.targets
        url = {
            "home": "/",
            "list": rng.choice(t.lists),
            "detail": rng.choice(t.details),
            "policy": rng.choice(t.policies),
        }[what]
        await self.rec.call(what, self.anonymous, "GET", url)

    async def search(self, rng: random.Random) -> None:
        await self.rec.call("search", self.anonymous, "GET", "/search", params={"q": rng.choice(self.targets.queries)})

    async def logged_in(self, rng: random.Random, user: int) -> None:
        if rng.random() < 0.5:
            account = self.applicants[user % len(self.applicants)]
            await self.rec.call("my-applications", account.client, "GET", "/my/applications")
        else:
            account = self.staff[user % len(self.staff)]
            await self.rec.call("staff-queue", account.client, "GET", "/staff/queue")

    async def submit(self, rng: random.Random) -> None:
        """Read the form, post it with a PDF and 提交申请, read the receipt; retry a post that got no answer."""
        if not self.free:
            return await self.browse(rng)
        account = self.free.popleft()
        try:
            await self._submit(account)
        finally:
            self.free.append(account)

    async def _submit(self, account: Account) -> None:
        kind = "training" if account.loan_used else "loan"
        account.loan_used = True
        form = await self.rec.call("apply-form", account.client, "GET", f"/apply/{kind}?new=1")
        if form is None or form.status_code != 200:
            return
        token, key = csrf_of(form.text), FORM_KEY_RE.search(form.text)
        if not token or not key:
            self.rec.fail("apply-form", "no CSRF token or form key")
            return
        data = answers(kind, account, token, key.group(1))
        seen = Submission(key.group(1), kind, account.phone)
        self.rec.submissions.append(seen)
        for attempt in range(1, 6):
            seen.attempts = attempt
            files = {"business_plan": ("创业计划书.pdf", PDF, "application/pdf")}
            answer = await self.rec.call(
                "submit", account.client, "POST", f"/apply/{kind}", expect=(302,), data=data, files=files
            )
            location = answer.headers.get("Location", "") if answer is not None else ""
            found = RECEIPT_RE.search(location)
            if found:
                seen.tracking_no = found.group(1)
                await self.rec.call("receipt", account.client, "GET", location)
                return
            why = "no answer" if answer is None else f"HTTP {answer.status_code}"
            if answer is not None and answer.status_code in (200, 400):
                errors = re.findall(r'class="error[^"]*"[^>]*>([^<]{1,120})<', answer.text)
                why += ": " + "; ".join(errors[:3])
            seen.failures.append(why)
            if answer is not None and answer.status_code < 500:
                return  # refused with an answer (a form error, a limit): a retry would be refused too
            self.retries += 1
            await asyncio.sleep(0.5 * attempt)

    async def user(self, index: int, deadline: float) -> None:
        rng = random.Random(self.seed * 1000 + index)
        while time.monotonic() < deadline:
            action = pick(rng, MIX)
            if action == "browse":
                await self.browse(rng)
            elif action == "search":
                await self.search(rng)
            elif action == "logged_in":
                await self.logged_in(rng, index)
            else:
                await self.submit(rng)

    async def run(self, seconds: float) -> Recorder:
        start = time.monotonic()
        await asyncio.gather(*(self.user(i, start + seconds) for i in range(self.users)))
        self.rec.seconds = time.monotonic() - start
        return self.rec


def answers(kind: str, account: Account, token: str, key: str) -> dict[str, str]:
    """A form as a returning worker fills it in (valid: every check passes)."""
    base = {
        "csrf_token": token, "form_key": key, "action": "submit", "applicant_name": account.name,
        "id_number": account.id_number, "phone": account.phone, "county": COUNTY, "township": "石佛寺镇",
        "consent": "y",
    }  # fmt: skip
    if kind == "loan":
        return base | {
            "applicant_type": "individual", "group": "returning_migrant", "amount_wan": "20", "term_months": "24",
            "purpose": "购买玉雕设备，扩大加工规模", "collateral": "none", "statement_group": "y",
            "statement_no_other_loans": "y", "statement_truthful": "y", "statement_credit_check": "y",
        }  # fmt: skip
    return base | {
        "course_type": "skills", "preferred_county": COUNTY, "education": "senior", "business": "开一家玉雕加工作坊",
        "years_away": "6", "where_worked": "广东东莞",
    }  # fmt: skip


async def hello_phase(base_url: str, users: int, seconds: float) -> Recorder:
    """The bare Flask route under the same client and concurrency (what this client costs per request)."""
    rec = Recorder()
    client = new_client(base_url, connections=users)
    start = time.monotonic()

    async def one() -> None:
        while time.monotonic() < start + seconds:
            await rec.call("hello", client, "GET", "/")

    await asyncio.gather(*(one() for _ in range(users)))
    rec.seconds = time.monotonic() - start
    await client.aclose()
    return rec


# ---------------------------------------------------------------------------------------------- CPU


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    with contextlib.suppress(OSError), open("/proc/stat") as stat:
        values = [int(x) for x in stat.readline().split()[1:]]
        return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")
    return 0.0


def server_seconds(master: int) -> float:
    """CPU seconds of a gunicorn server: its master, its live workers, and the workers it has reaped."""
    total = 0.0
    for pid in [master, *workers_of(master)]:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11 : 15 if pid == master else 13])  # utime stime (cutime cstime)
    return total / os.sysconf("SC_CLK_TCK")


class CpuUse:
    """Who used the CPU during a phase: the machine, the portal's gunicorn, this client, everything else."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.start = (time.monotonic(), busy_seconds(), server_seconds(master), self._own())

    @staticmethod
    def _own() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def report(self) -> dict[str, float]:
        t0, busy0, server0, own0 = self.start
        seconds = time.monotonic() - t0
        busy, server, own = busy_seconds() - busy0, server_seconds(self.master) - server0, self._own() - own0
        return {
            "machine": round(busy / seconds, 2),
            "gunicorn": round(server / seconds, 2),
            "client": round(own / seconds, 2),
            "rest": round(max(0.0, busy - server - own) / seconds, 2),
        }


def cpu_text(use: dict[str, float]) -> str:
    return (
        f"CPU during the mix (cores of {os.cpu_count()}): machine busy {use['machine']:.2f}, the portal's gunicorn "
        f"{use['gunicorn']:.2f}, this client {use['client']:.2f}, everything else {use['rest']:.2f} (PostgreSQL's "
        "backends, the hello server, other people's work)"
    )


# ---------------------------------------------------------------------------------------------- faults


def workers_of(master: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == master:
                    found.append(int(entry))
    return found


def pg_cluster() -> tuple[str, str] | None:
    """(version, name) of the local cluster listening on 5432, from pg_lsclusters."""
    if not shutil.which("pg_lsclusters"):
        return None
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == str(harness.PG_PORT):
            return parts[0], parts[1]
    return None


def restart_postgres() -> str:
    """Restart the local PostgreSQL (root); returns the command that did it."""
    cluster = pg_cluster()
    commands = []
    if cluster:
        commands.append(["pg_ctlcluster", cluster[0], cluster[1], "restart", "-m", "fast"])
    commands.append(["service", "postgresql", "restart"])
    for cmd in commands:
        if subprocess.run(cmd, capture_output=True, text=True, check=False).returncode == 0:
            return " ".join(cmd)
    raise harness.BenchError("could not restart PostgreSQL (tried: " + "; ".join(" ".join(c) for c in commands) + ")")


def ensure_postgres_running(timeout: float = 60.0) -> None:
    """Whatever happened: PostgreSQL answers again on 127.0.0.1:5432 (started when it does not)."""
    if harness.postgres_answers():
        return
    cluster = pg_cluster()
    for cmd in ([["pg_ctlcluster", *cluster, "start"]] if cluster else []) + [["service", "postgresql", "start"]]:
        subprocess.run(cmd, capture_output=True, check=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if harness.postgres_answers():
                return
            time.sleep(0.5)
    print("WARNING: PostgreSQL does not answer on 127.0.0.1:5432 and could not be started", file=sys.stderr)


async def chaos(master: int, seconds: float, kill_every: float, restart_pg: bool, log: list[str]) -> None:
    """Kill a worker every `kill_every` s; restart PostgreSQL once halfway (when asked)."""
    start = time.monotonic()
    rng = random.Random(7)
    next_kill, restarted = kill_every, not restart_pg
    while (now := time.monotonic() - start) < seconds:
        if not restarted and now >= seconds / 2:
            restarted = True
            t0 = time.monotonic()
            command = await asyncio.to_thread(restart_postgres)
            log.append(f"{now:6.1f} s  PostgreSQL restarted ({command}, {time.monotonic() - t0:.1f} s)")
        if now >= next_kill:
            next_kill += kill_every
            workers = workers_of(master)
            if workers:
                victim = rng.choice(workers)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(victim, signal.SIGKILL)
                log.append(f"{now:6.1f} s  SIGKILL to gunicorn worker {victim} (of {len(workers)})")
        await asyncio.sleep(0.2)


# ---------------------------------------------------------------------------------------------- checking


@dataclass
class Integrity:
    answered: int = 0
    found_once: int = 0
    missing: list[str] = field(default_factory=list)
    without_attachment: list[str] = field(default_factory=list)
    without_queue_item: list[str] = field(default_factory=list)
    wrong_form: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)
    stored_unanswered: int = 0  # committed, but the client never saw the receipt (it gave up)
    submitted_in_db: int = 0
    attachments_in_db: int = 0

    @property
    def good(self) -> bool:
        return not (
            self.missing or self.without_attachment or self.without_queue_item or self.wrong_form or self.half_written
        )


def check_integrity(app, submissions: list[Submission]) -> Integrity:
    """Every answered submission exactly once, with its PDF (bytes and sha256) and queue item; nothing half written."""
    import sqlalchemy as sa

    from portal.applications.models import Application, Attachment, StoredBlob
    from portal.extensions import db
    from portal.queues.models import QueueItem

    result = Integrity()
    with app.app_context():
        apps = db.session.execute(
            sa.select(
                Application.id,
                Application.tracking_no,
                Application.form_key,
                Application.state,
                Application.submitted_at,
            )
        ).all()
        attachments = db.session.execute(
            sa.select(Attachment.application_id, Attachment.stored_name, Attachment.sha256, Attachment.size)
        ).all()
        blobs = {
            key: (len(data), hashlib.sha256(data).hexdigest())
            for key, data in db.session.execute(sa.select(StoredBlob.key, StoredBlob.data))
        }
        items = collections.Counter(db.session.scalars(sa.select(QueueItem.application_id)))
        db.session.remove()
    by_no = collections.defaultdict(list)
    by_key = {row.form_key: row for row in apps}
    for row in apps:
        if row.tracking_no:
            by_no[row.tracking_no].append(row)
    files = collections.defaultdict(list)
    for a in attachments:
        files[a.application_id].append(a)
    result.submitted_in_db = sum(1 for row in apps if row.submitted_at is not None)
    result.attachments_in_db = len(attachments)
    for seen in submissions:
        if not seen.tracking_no:
            row = by_key.get(seen.form_key)
            if row is not None and row.submitted_at is not None:
                result.stored_unanswered += 1
            continue
        result.answered += 1
        rows = by_no.get(seen.tracking_no, [])
        if len(rows) != 1:
            result.missing.append(f"{seen.tracking_no}: {len(rows)} rows")
            continue
        row = rows[0]
        if row.form_key != seen.form_key:
            result.wrong_form.append(seen.tracking_no)
        good_files = [
            a for a in files[row.id] if a.sha256 == PDF_SHA256 and blobs.get(a.stored_name) == (a.size, a.sha256)
        ]
        if not good_files:
            result.without_attachment.append(seen.tracking_no)
        if not items[row.id]:
            result.without_queue_item.append(seen.tracking_no)
        if rows and good_files and items[row.id] and row.form_key == seen.form_key:
            result.found_once += 1
    # Nothing half written anywhere in the database: no submitted application without a number or a queue item,
    # no attachment without its bytes (or with other bytes), no bytes without an attachment.
    names = {a.stored_name for a in attachments}
    for row in apps:
        if (row.submitted_at is None) != (row.tracking_no is None):
            result.half_written.append(f"application {row.id}: submitted_at and tracking number disagree")
        if row.submitted_at is not None and not items[row.id]:
            result.half_written.append(f"application {row.id} ({row.tracking_no}): submitted without a queue item")
        if row.state == "draft" and row.form_key in {s.form_key for s in submissions}:
            result.half_written.append(f"application {row.id}: a draft left by a submission (form {row.form_key[:8]}…)")
    for a in attachments:
        if blobs.get(a.stored_name, (None, None)) != (a.size, a.sha256):
            result.half_written.append(
                f"attachment {a.stored_name[:8]}… of application {a.application_id}: bytes missing or different"
            )
    orphans = set(blobs) - names
    if orphans:
        result.half_written.append(f"{len(orphans)} stored blobs without an attachment")
    return result


# ---------------------------------------------------------------------------------------------- reporting


def server_log_summary(path: Path) -> str:
    """What the server's log says went wrong: exceptions by type, worker deaths and timeouts."""
    counts: collections.Counter[str] = collections.Counter()
    with contextlib.suppress(OSError), open(path, errors="replace") as log:
        for line in log:
            exception = re.match(r"^([\w.]+(?:Error|Exception|Exit)): ", line)
            if exception:
                counts[exception.group(1)] += 1
            for marker, what in (
                ("WORKER TIMEOUT", "worker timeout"),
                ("was sent SIGKILL", "worker killed"),
                ("Booting worker", "worker started"),
            ):  # fmt: skip
                if marker in line:
                    counts[what] += 1
    found = ", ".join(f"{what} × {n}" for what, n in counts.most_common(8)) or "nothing"
    return f"Server log {path}: {found}."


@dataclass
class Row:
    route: str
    group: str
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    how: str = "httpx"

    @classmethod
    def of(cls, route: str, group: str, ms: list[float], seconds: float, errors: int, how: str = "httpx") -> Row:
        s = harness.Samples(route, ms or [0.0])
        return cls(
            route, group, len(ms), round(len(ms) / seconds, 1) if seconds else 0.0,
            *(round(s.pct(p), 1) for p in (50, 95, 99)), round(s.max, 1), errors, how,
        )  # fmt: skip

    @classmethod
    def from_wrk(cls, route: str, group: str, f: dict[str, int]) -> Row:
        seconds = f["duration_us"] / 1e6
        return cls(
            route, group, f["requests"], round(f["requests"] / seconds, 1) if seconds else 0.0,
            *(round(f[k] / 1000, 1) for k in ("p50_us", "p95_us", "p99_us", "max_us")),
            f["non2xx"] + f["socket_errors"], "wrk",
        )  # fmt: skip


GROUPS = {
    "home": "page", "list": "page", "detail": "page", "policy": "page", "search": "search",
    "my-applications": "logged-in", "staff-queue": "logged-in", "apply-form": "logged-in", "receipt": "logged-in",
    "submit": "submission",
}  # fmt: skip


def rows_of(rec: Recorder, how: str = "httpx") -> list[Row]:
    routes = [r for r in GROUPS if r in rec.ms or r in rec.errors] + [r for r in rec.ms if r not in GROUPS]
    return [Row.of(r, GROUPS.get(r, "bare"), rec.ms.get(r, []), rec.seconds, rec.errors[r], how) for r in routes]


def print_rows(title: str, rows: list[Row], hello: Baseline | None) -> None:
    print(f"\n{title}")
    head = f"{'route':<22} {'group':<10} {'client':<6} {'requests':>8} {'req/s':>8} "
    head += f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}"
    print(head + (f" {'×hello':>6}" if hello else "") + "\n" + "-" * (len(head) + 7))
    for r in rows:
        line = f"{r.route:<22} {r.group:<10} {r.how:<6} {r.requests:>8} {r.rps:>8.1f} {r.p50_ms:>7.1f} "
        line += f"{r.p95_ms:>7.1f} {r.p99_ms:>7.1f} {r.max_ms:>7.1f} {r.errors:>6}"
        print(line + (f" {hello.ratio(r.rps):>6.2f}" if hello else ""))


def print_errors(rec: Recorder) -> None:
    for route, kinds in rec.kinds.items():
        print(f"  errors on {route}: " + ", ".join(f"{why} × {n}" for why, n in kinds.most_common(5)))


def print_integrity(check: Integrity, submissions: list[Submission]) -> None:
    attempts = collections.Counter(s.attempts for s in submissions if s.tracking_no)
    print(
        f"\nSubmissions: {len(submissions)} started, {check.answered} answered with a receipt "
        f"(after retries: {sum(n for a, n in attempts.items() if a > 1)}), {check.stored_unanswered} stored but never "
        f"answered; in the database {check.submitted_in_db} submitted applications, "
        f"{check.attachments_in_db} attachments."
    )
    print(f"  answered and found exactly once with their PDF and queue item: {check.found_once} of {check.answered}")
    for label, items in (
        ("missing or duplicated", check.missing), ("without their PDF", check.without_attachment),
        ("without a queue item", check.without_queue_item), ("another form's application", check.wrong_form),
        ("half written", check.half_written),
    ):  # fmt: skip
        if items:
            print(f"  {label}: {len(items)} — " + "; ".join(items[:5]))
    failed = [s for s in submissions if not s.tracking_no]
    if failed:
        reasons = collections.Counter(s.failures[-1] if s.failures else "?" for s in failed)
        print("  not answered: " + ", ".join(f"{why} × {n}" for why, n in reasons.most_common(5)))


# ---------------------------------------------------------------------------------------------- one database


def measure(kind: str, args: argparse.Namespace, hello_url: str) -> dict:
    database = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind]
    print(f"\n== {database}: preparing the database, accounts and sessions", flush=True)
    pool = max(2 * args.users, 10)
    with harness.throwaway_portal(kind, "load", search_index=True) as app:
        accounts = create_accounts(app, applicants=pool, staff=5)
        log_file = Path(tempfile.gettempdir()) / f"bench-load-{kind}-{os.getpid()}.log"
        args.server_log = log_file
        with harness.gunicorn("wsgi:app", harness.ROOT, harness.server_env(app), "portal", log_file=log_file) as portal:
            targets = read_targets(portal)
            for path in (
                ["/", targets.lists[0], targets.details[0], targets.policies[0], "/search?q=x"] * 2 * harness.WORKERS
            ):
                harness.http_get(portal + path)
            return asyncio.run(_measure(kind, database, app, portal, hello_url, accounts, targets, args))


async def _measure(kind, database, app, portal, hello_url, accounts, targets, args) -> dict:
    everyone = accounts["applicant"] + accounts["staff"]
    await login_all(everyone, portal)
    hello = Baseline("hello (wrk)")
    rows: list[Row] = []
    wrk = dict(threads=2, connections=args.users, seconds=args.wrk_seconds)
    if not args.faults:
        print(f"  wrk hello {args.wrk_seconds} s", flush=True)
        first = Row.from_wrk("hello", "bare", harness.wrk(hello_url + "/", **wrk))
        hello.before = first.rps
        print(f"  httpx hello {args.wrk_seconds} s", flush=True)
        rows += rows_of(await hello_phase(hello_url, args.users, args.wrk_seconds))
        rows.insert(0, first)
    crowd = Crowd(portal, targets, accounts, args.users, args.seed)
    log: list[str] = []
    cpu = CpuUse(portal.pid)
    print(f"  mixed load: {args.users} users, {args.duration} s" + (" with faults" if args.faults else ""), flush=True)
    tasks = [crowd.run(args.duration)]
    if args.faults:
        tasks.append(chaos(portal.pid, args.duration, args.kill_every, kind == "postgres", log))
    try:
        rec, *_ = await asyncio.gather(*tasks)
    finally:
        if args.faults and kind == "postgres":
            ensure_postgres_running()
    use = cpu.report()
    mixed = rows_of(rec)
    rows += mixed
    if not args.faults:
        for route, account in (("my-applications", accounts["applicant"][0]), ("staff-queue", accounts["staff"][0])):
            path = {"my-applications": "/my/applications", "staff-queue": "/staff/queue"}[route]
            print(f"  wrk {path} (logged in) {args.wrk_seconds} s", flush=True)
            headers = {"Cookie": account.cookie_header(), "User-Agent": USER_AGENT}
            rows.append(Row.from_wrk(route + " alone", "logged-in", harness.wrk(portal + path, headers=headers, **wrk)))
        print(f"  wrk hello {args.wrk_seconds} s", flush=True)
        last = Row.from_wrk("hello/end", "bare", harness.wrk(hello_url + "/", **wrk))
        hello.after = last.rps
        rows.append(last)
    await crowd.close()
    for account in everyone:
        await account.client.aclose()
    check = check_integrity(app, rec.submissions)

    title = (
        f"{database}: gunicorn -w {harness.WORKERS}; {args.users} users for {rec.seconds:.0f} s"
        f"{' WITH FAULTS' if args.faults else ''}; mix {', '.join(f'{n} {w:.0%}' for n, w in MIX)}"
    )
    print_rows(title, rows, hello if hello.mean else None)
    total = sum(r.requests for r in mixed)
    print(
        f"mixed load: {total} requests answered, {total / rec.seconds:.1f} req/s; {sum(rec.errors.values())} errors; "
        f"{crowd.retries} submission retries; {harness.load_average()} at the end.\n{cpu_text(use)}."
    )
    if hello.mean:
        print(f"×hello: relative to the mean of the two wrk hello runs ({hello.mean:.0f} req/s).")
        if hello.warning():
            print(hello.warning())
    print_errors(rec)
    for line in log:
        print("  fault:", line)
    print_integrity(check, rec.submissions)
    print(server_log_summary(args.server_log))
    goals = goals_of(rows, rec, check, hello, args)
    harness.print_goals(goals, f"Goals ({database}{', faults' if args.faults else ''}):")
    return {
        "database": database, "faults": args.faults, "seconds": round(rec.seconds, 1),
        "rows": [asdict(r) for r in rows],
        "errors": dict(rec.errors), "fault_log": log, "integrity": asdict(check), "cpu": use,
        "goals": [asdict(g) for g in goals],
    }  # fmt: skip


def goals_of(rows: list[Row], rec: Recorder, check: Integrity, hello: Baseline, args) -> list[Goal]:
    integrity = Goal(
        "every answered submission exactly once with its attachment and queue item; nothing half written",
        check.good and check.found_once == check.answered,
        f"{check.found_once} of {check.answered}; {len(check.half_written)} half written",
    )
    if args.faults:
        return [integrity]
    mixed = [r for r in rows if r.how == "httpx" and r.group != "bare"]
    pages = [r for r in mixed if r.group != "submission" and r.requests]
    worst = max(pages, key=lambda r: r.p95_ms)
    submits = [r for r in mixed if r.group == "submission"]
    submit_p95 = max((r.p95_ms for r in submits), default=0.0)
    alone = [r for r in rows if r.route.endswith(" alone")]
    slowest = min(alone, key=lambda r: r.rps)
    errors = sum(rec.errors.values()) + sum(r.errors for r in rows if r.how == "wrk")
    return [
        Goal("zero errors", errors == 0, f"{errors} in {sum(r.requests for r in rows)}"),
        Goal(
            f"page p95 ≤ {PAGE_P95_MS:.0f} ms (every GET route of the mix)",
            worst.p95_ms <= PAGE_P95_MS,
            f"worst {worst.p95_ms:.1f} ms ({worst.route})",
        ),
        Goal(
            f"submission p95 ≤ {SUBMIT_P95_MS:.0f} ms",
            bool(submits) and submit_p95 <= SUBMIT_P95_MS,
            f"{submit_p95:.1f} ms over {sum(r.requests for r in submits)} submissions",
        ),
        Goal(
            f"logged-in pages ≥ {LOGGED_IN_RATIO} × the bare route's throughput (wrk, each alone)",
            hello.ratio(slowest.rps) >= LOGGED_IN_RATIO,
            f"{slowest.route}: {hello.ratio(slowest.rps):.2f} × ({slowest.rps:.0f} vs {hello.mean:.0f} req/s)",
        ),
        integrity,
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=120, help="seconds of mixed load (default 120)")
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users (default 50)")
    parser.add_argument(
        "--faults", action="store_true", help="kill a worker every --kill-every s; restart PostgreSQL once"
    )
    parser.add_argument("--kill-every", type=float, default=20.0, help="seconds between worker kills (default 20)")
    parser.add_argument(
        "--wrk-seconds", type=int, default=10, help="seconds of each baseline and logged-in wrk run (default 10)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the users' choices")
    harness.add_common_arguments(parser)
    args = parser.parse_args(argv)
    if args.duration < 1 or args.users < 1 or args.wrk_seconds < 1 or args.kill_every <= 0:
        parser.error("--duration, --users, --wrk-seconds and --kill-every must be positive")
    if args.faults and hasattr(os, "geteuid") and os.geteuid() != 0 and args.db != "sqlite":
        parser.error("--faults restarts PostgreSQL and needs root (or use --db sqlite: worker kills only)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    started = harness.header("load.py", f"httpx {httpx.__version__}")
    kinds = harness.databases(args.db)
    runs, missed = [], []
    with harness.gunicorn("hello_app:app", harness.BENCH, harness.server_env(), "hello") as hello:
        for kind in kinds:
            result = measure(kind, args, hello)
            runs.append(result)
            missed += [f"{result['database']}: {g['text']}" for g in result["goals"] if not g["met"]]
    settings = {
        "duration_s": args.duration,
        "users": args.users,
        "faults": args.faults,
        "kill_every_s": args.kill_every,
    }
    harness.write_json(args.json, started, {"settings": settings, "runs": runs})
    print("\nAll goals met." if not missed else f"\nGoals missed: {'; '.join(missed)}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(harness.run(main))
