"""The portal on two app servers behind nginx, with one PostgreSQL database and Redis: proves what scale-out needs.

Starts, on this machine: a throwaway PostgreSQL database (bench/harness.py), two gunicorn servers (``-w 4``) each
with its own data directory and its own search index (built with ``flask search reindex``, as a new server would),
the same SECRET_KEY, personal-data keys (PORTAL_DATA_KEYS, PORTAL_HASH_KEY) and ``RATELIMIT_STORAGE_URI`` (an empty
database of the Redis server on 127.0.0.1:6379, emptied again at the end), ``PORTAL_TRUSTED_PROXIES=1``; and nginx
(Debian's package, `make bench-packages`) in front of both with its own configuration. Then it checks, printing each
as met or missed:

1. a login made through server A is valid on server B;
2. an application submitted through A with a PDF is claimed, accepted and approved through B, and its PDF
   downloaded through B is the same bytes;
3. a change to a policy guide published through A (one editor drafts, another publishes) is found by search and
   shown on the guide's page (not a stale cached page: the page was cached by every worker of B before) through B
   within 1 s — and stays so;
4. rate limits hold across both: the login throttle (5 free failures per number) and the application limit
   (``PORTAL_APPLY_RATE_LIMIT``, 20/minute per account), counted alternately on A and B;
5. killing server A (SIGKILL to its whole process group) during a load of submissions through nginx loses no
   submission that was answered: every receipt seen exists exactly once with its PDF and queue item, nothing half
   written (the check of bench/load.py).

Usage::

    .venv/bin/python bench/scaleout.py [--load-seconds 20] [--load-users 10] [--strict] [--json PATH]

Exit status: 0 when it ran (checks met or not), 1 with ``--strict`` when a check was missed, 2 when it could not run
(no PostgreSQL, Redis or nginx).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import logging
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import harness
import httpx
import load
from harness import Goal

POLICY = "guarantee-loan-national"
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 42m;            # at least PORTAL_MAX_REQUEST_MB
    upstream portal {{
        server 127.0.0.1:{port_a} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{port_b} max_fails=1 fail_timeout=10s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout;  # never for a POST (nginx does not retry non-idempotent requests)
        }}
    }}
}}
"""


# ---------------------------------------------------------------------------------------------- the parts


def redis_database() -> int:
    """An empty database of the Redis server on 127.0.0.1:6379 (emptied again at the end)."""
    import redis

    try:
        for number in range(15, 0, -1):
            if redis.Redis(host="127.0.0.1", port=6379, db=number, socket_timeout=2).dbsize() == 0:
                return number
    except redis.exceptions.RedisError as exc:
        raise harness.BenchError(f"Redis does not answer on 127.0.0.1:6379 ({exc})") from None
    raise harness.BenchError("no empty Redis database (1–15) on 127.0.0.1:6379 to count rate limits in")


def flush_redis(number: int) -> None:
    import redis

    with contextlib.suppress(redis.exceptions.RedisError):
        redis.Redis(host="127.0.0.1", port=6379, db=number, socket_timeout=2).flushdb()


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise harness.BenchError("nginx is not installed: run `make bench-packages` (apt-get install nginx) first")
    return found


@contextlib.contextmanager
def nginx(port_a: int, port_b: int) -> Iterator[str]:
    """nginx on a free port in front of both servers, with its own configuration and temporary files."""
    binary = nginx_binary()
    with tempfile.TemporaryDirectory(prefix="bench-nginx-") as directory:
        os.chmod(directory, 0o711)  # noqa: S103 (nginx's workers run as nobody when started as root: they traverse it)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.mkdir(Path(directory, sub), 0o700)
            if os.geteuid() == 0:  # nginx's workers run as nobody when started as root: their temporary files
                nobody = pwd.getpwnam("nobody")
                os.chown(Path(directory, sub), nobody.pw_uid, nobody.pw_gid)
        port = harness.free_port()
        conf = Path(directory, "nginx.conf")
        conf.write_text(NGINX_CONF.format(dir=directory, port=port, port_a=port_a, port_b=port_b))
        proc = subprocess.Popen([binary, "-c", str(conf), "-p", directory], start_new_session=True)
        url = f"http://{harness.HOST}:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                if proc.poll() is not None:
                    log = Path(directory, "error.log")
                    raise harness.BenchError(f"nginx exited: {log.read_text() if log.exists() else ''}")
                with contextlib.suppress(OSError):
                    socket.create_connection((harness.HOST, port), 1).close()
                    break
                if time.monotonic() > deadline:
                    raise harness.BenchError("nginx did not listen within 20 s")
                time.sleep(0.1)
            yield url
        finally:
            harness.stop_group(proc, signal.SIGQUIT, grace=10)  # SIGQUIT: nginx's graceful stop


def build_index(app, data_dir: Path, env: dict[str, str]) -> float:
    """This server's own search index, built from the database as `flask search reindex` does on a new server."""
    start = time.monotonic()
    cmd = [harness.venv_tool("flask"), "--app", "portal", "search", "reindex", "--quiet"]
    proc = subprocess.run(cmd, cwd=harness.ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise harness.BenchError(f"search reindex failed for {data_dir}:\n{proc.stdout}{proc.stderr}")
    return time.monotonic() - start


# ---------------------------------------------------------------------------------------------- small helpers


def form_fields(page: str) -> dict[str, str]:
    """A form's current values as a browser sends them (ticked checkboxes only): inputs, textareas, selects."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or re.search(r'type="(submit|button|file)"', tag):
            continue
        if re.search(r'type="(checkbox|radio)"', tag) and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields.setdefault(name.group(1), html.unescape(value.group(1)) if value else "")
    for attrs, value in re.findall(r"<textarea([^>]*)>(.*?)</textarea>", page, re.S):
        fields[re.search(r'name="([^"]+)"', attrs).group(1)] = html.unescape(value.lstrip("\n"))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'<option value="([^"]*)" selected', body
        )
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    return fields


class Check:
    def __init__(self) -> None:
        self.goals: list[Goal] = []

    def add(self, text: str, met: bool, figure: str) -> None:
        goal = Goal(text, bool(met), figure)
        self.goals.append(goal)
        print(f"  [{'met' if goal.met else 'MISSED':<6}] {text}: {figure}", flush=True)


async def post_form(client: httpx.AsyncClient, page_url: str, action_url: str, **data) -> httpx.Response:
    """Read a page for its CSRF token and post `data` to `action_url` with it."""
    page = await client.get(page_url)
    return await client.post(action_url, data={"csrf_token": load.csrf_of(page.text) or "", **data})


def client_on(base_url: str, account: load.Account) -> httpx.AsyncClient:
    """A client of another server carrying this account's cookies (the same browser, answered by another server)."""
    client = load.new_client(base_url)
    assert account.client is not None
    for name, value in account.client.cookies.items():
        client.cookies.set(name, value)
    return client


# ---------------------------------------------------------------------------------------------- the checks


async def check_login(check: Check, a: str, b: str, applicant: load.Account) -> None:
    await load.login(applicant, a)
    on_b = client_on(b, applicant)
    page = await on_b.get("/my/applications")
    await on_b.aclose()
    check.add(
        "1. a login made through server A is valid on server B",
        page.status_code == 200 and applicant.name in page.text,
        f"GET /my/applications on B with A's session cookie: {page.status_code}"
        + (", the applicant's name shown" if applicant.name in page.text else ", not logged in there"),
    )


async def check_processing(check: Check, app, a: str, b: str, applicant: load.Account, staff: load.Account) -> None:
    """Submitted through A (training, PDF), claimed, accepted and approved through B, PDF downloaded through B."""
    crowd_client = applicant.client
    form = await crowd_client.get("/apply/training?new=1")
    data = load.answers(
        "training", applicant, load.csrf_of(form.text) or "", load.FORM_KEY_RE.search(form.text).group(1)
    )
    answer = await crowd_client.post(
        "/apply/training", data=data, files={"business_plan": ("创业计划书.pdf", load.PDF, "application/pdf")}
    )
    found = load.RECEIPT_RE.search(answer.headers.get("Location", ""))
    if not found:
        check.add(
            "2. submitted through A, processed and its attachment downloaded through B",
            False,
            f"submit {answer.status_code}",
        )
        return
    number = found.group(1)
    await load.login(staff, b)
    queue = await staff.client.get("/staff/queue")
    item = re.search(r'href="/staff/items/(\d+)">' + re.escape(number), queue.text)
    steps = [f"{number} submitted on A", f"in B's queue: {'yes' if item else 'no'}"]
    ok = bool(item)
    downloaded = b""
    if item:
        url = f"/staff/items/{item.group(1)}"
        for action in ("claim", "accept", "approve"):
            done = await post_form(staff.client, url, f"{url}/{action}", message="同意。")
            ok = ok and done.status_code == 302
            steps.append(f"{action} {done.status_code}")
        page = await staff.client.get(url)
        link = re.search(r'href="(/staff/items/\d+/files/\d+)"', page.text)
        if link:
            got = await staff.client.get(link.group(1))
            downloaded = got.content if got.status_code == 200 else b""
        same = downloaded == load.PDF
        steps.append(f"PDF downloaded on B: {len(downloaded)} bytes, {'the same' if same else 'NOT the same'}")
        ok = ok and same
    mine = await crowd_client.get(f"/my/applications/{number}")  # the applicant, on A
    from portal.applications.models import Application
    from portal.extensions import db

    with app.app_context():
        state = db.session.scalar(db.select(Application.state).where(Application.tracking_no == number))
        db.session.remove()
    steps.append(f"state {state}; applicant's page on A {mine.status_code}")
    check.add(
        "2. an application submitted through A, with its PDF, is processed and its PDF downloaded through B",
        ok and state == "approved" and mine.status_code == 200,
        "; ".join(steps),
    )


async def check_publication(check: Check, a: str, b: str, editors: list[load.Account], marker: str) -> None:
    """One editor drafts a change of a guide through A, another publishes it through A. Meanwhile B is asked for
    the guide's page and a search without pause (4 at a time, so every worker of B has the old page cached and has
    just looked at the content generation: the worst case). Judged: the time after the publication's answer at
    which B's last stale answer came — from then on every answer was fresh."""
    path = f"/policies/{POLICY}"
    for editor in editors:
        await load.login(editor, a)
    first, second = editors
    edit_url = f"/editorial/policies/{POLICY}/edit"
    fields = form_fields((await first.client.get(edit_url)).text)
    fields.update(title=f"创业担保贷款{marker}", body=f"## 新的要点\n\n{marker}的说明：额度与贴息按最新文件执行。\n")
    fields["action"] = "submit"
    drafted = await first.client.post(edit_url, data=fields)
    change = re.search(r"/editorial/changes/(\d+)", drafted.headers.get("Location", ""))
    title = "3. a policy guide's change published through A is found by search and shown (not a stale cached page) "
    title += "through B within 1 s"
    if not change:
        check.add(title, False, f"the draft was not saved ({drafted.status_code})")
        return
    public_b = load.new_client(b, connections=8)
    answers: list[tuple[str, float, float, bool]] = []  # (what, sent, answered — monotonic seconds —, fresh)
    stop: list[float] = []

    async def poll(what: str) -> None:
        while not stop or time.monotonic() < stop[0]:
            sent = time.monotonic()
            if what == "page":
                fresh = marker in (await public_b.get(path)).text
            else:
                found = await public_b.get("/api/v1/search", params={"q": marker})
                fresh = found.status_code == 200 and any(marker in i["title"] for i in found.json().get("items", []))
            answers.append((what, sent, time.monotonic(), fresh))

    pollers = [asyncio.create_task(poll(what)) for what in ("page", "page", "search", "search")]
    await asyncio.sleep(2.0)  # B answers the old version meanwhile (and every worker has looked at it lately)
    change_url = f"/editorial/changes/{change.group(1)}"
    page = await second.client.get(change_url)
    publish_sent = time.monotonic()
    published = await second.client.post(f"{change_url}/publish", data={"csrf_token": load.csrf_of(page.text) or ""})
    t0 = time.monotonic()
    stop.append(t0 + 3.0)
    await asyncio.gather(*pollers)
    await public_b.aclose()
    before = [fresh for _w, _s, answered, fresh in answers if answered < publish_sent]  # all the old version
    parts, met = [], published.status_code == 302 and not any(before)
    for what in ("page", "search"):
        ms = sorted((a - s) * 1000 for w, s, a, _f in answers if w == what and a < publish_sent)
        if ms:
            parts.append(f"{what} before it: {len(ms)} answers, median {ms[len(ms) // 2]:.0f} ms, max {ms[-1]:.0f} ms")
    for what in ("page", "search"):
        rows = sorted((sent - t0, answered - t0, fresh) for w, sent, answered, fresh in answers if w == what)
        rows = [r for r in rows if r[0] >= publish_sent - t0]
        first_fresh = min((answered for _s, answered, fresh in rows if fresh), default=None)
        # From this moment on no stale answer came: the change was visible on every worker of B.
        last_stale = max((answered for _s, answered, fresh in rows if not fresh), default=0.0)
        fresh_at_end = bool(rows) and rows[-1][2]
        slowest = max((answered - max(s, 0.0) for s, answered, _f in rows), default=0.0)
        met = met and fresh_at_end and last_stale <= 1.0
        stale = sum(1 for *_x, fresh in rows if not fresh)
        parts.append(
            f"{what}: the last stale answer {max(last_stale, 0) * 1000:.0f} ms after the publication's answer, "
            f"the first fresh at {first_fresh * 1000:.0f} ms"
            if first_fresh is not None
            else f"{what}: never fresh"
        )
        parts[-1] += f" ({len(rows)} requests, {stale} stale, slowest {slowest * 1000:.0f} ms)"
    check.add(title, met, f"publish {published.status_code}; before it {len(before)} answers of B, {sum(before)} "
              f"fresh; " + "; ".join(parts))  # fmt: skip


async def check_limits(check: Check, a: str, b: str, victim: load.Account, applicant: load.Account) -> None:
    # The login throttle: 5 failures for one number are free, the next attempt waits — wherever it arrives.
    clients = {"A": load.new_client(a), "B": load.new_client(b)}
    statuses = []
    for attempt in range(6):
        server = "AB"[attempt % 2]
        password = load.PASSWORD if attempt == 5 else "wrong-password-1"
        answer = await post_form(
            clients[server], "/account/login", "/account/login", phone=victim.phone, password=password
        )
        statuses.append(f"{server}:{answer.status_code}")
    for client in clients.values():
        await client.aclose()
    check.add(
        "4a. the login throttle holds across both servers (5 failures alternately on A and B, then the right password)",
        statuses[-1].endswith("429") and all(s.endswith("400") for s in statuses[:5]),
        " ".join(statuses),
    )
    # The application limit (20/minute per account): drafts saved alternately through A and B.
    await load.login(applicant, a)
    form = await applicant.client.get("/apply/training?new=1")
    on = {"A": applicant.client, "B": client_on(b, applicant)}  # the same browser (cookies), answered by B
    data = load.answers(
        "training", applicant, load.csrf_of(form.text) or "", load.FORM_KEY_RE.search(form.text).group(1)
    )
    data["action"] = "save"
    codes = []
    for attempt in range(21):
        server = "AB"[attempt % 2]
        answer = await on[server].post("/apply/training", data=data)
        codes.append(answer.status_code)
    await on["B"].aclose()
    allowed = sum(1 for c in codes if c == 302)
    check.add(
        "4b. the application limit (20/minute per account) holds across both servers",
        codes[:20] == [302] * 20 and codes[20] == 429,
        f"21 saves alternately on A and B: {allowed} saved, the 21st answered {codes[20]} "
        f"({' '.join(map(str, codes))})",
    )


async def check_kill(check: Check, app, proxy: str, server_a: harness.ServerURL, accounts, args) -> None:
    """Submissions through nginx by `load_users` clients; server A is SIGKILLed halfway; nothing answered is lost."""
    for account in accounts:
        if account.client is not None:
            await account.client.aclose()
            account.client = None
    await load.login_all(accounts, proxy)
    crowd = load.Crowd(proxy, None, {"applicant": accounts, "staff": []}, args.load_users, seed=11)
    start = time.monotonic()
    killed: list[str] = []

    async def submitter() -> None:
        while time.monotonic() - start < args.load_seconds:
            if crowd.free:
                await crowd.submit(None)
            else:
                await asyncio.sleep(0.05)

    async def killer() -> None:
        await asyncio.sleep(args.load_seconds / 2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server_a.pid, signal.SIGKILL)  # master and workers: the machine "died"
        killed.append(f"{time.monotonic() - start:.1f} s")

    await asyncio.gather(killer(), *(submitter() for _ in range(args.load_users)))
    seconds = time.monotonic() - start
    await crowd.close()
    for account in accounts:
        await account.client.aclose()
    result = load.check_integrity(app, crowd.rec.submissions)
    load.print_integrity(result, crowd.rec.submissions)
    load.print_errors(crowd.rec)
    check.add(
        "5. killing server A mid-load loses no submission that was answered",
        bool(killed) and result.good and result.found_once == result.answered and result.answered > 0,
        f"A killed at {killed[0] if killed else '—'} of {seconds:.0f} s; {result.answered} answered "
        f"({result.answered / seconds:.1f}/s), {result.found_once} found exactly once with PDF and queue item; "
        f"{sum(crowd.rec.errors.values())} errors seen by clients, {crowd.retries} retries; "
        f"{len(result.half_written)} half written",
    )


def check_restore(check: Check, app, env: dict[str, str]) -> None:
    """The backup of docs/deployment.md, tested: pg_dump (custom format) while the portal serves, pg_restore into a
    new database, then the portal's own checks on it (files check, counts check) and the same rows as the original."""
    import sqlalchemy as sa

    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    target = f"{url.database}_restore"
    plain = f"postgresql://{url.username}@{url.host}:{url.port}"
    admin = sa.create_engine(harness.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    tables = ("application", "attachment", "stored_blob", "queue_item", "user_account", "policy")

    def counts(database_url) -> dict[str, int]:
        engine = sa.create_engine(database_url)
        try:
            with engine.connect() as conn:
                return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in tables}  # noqa: S608
        finally:
            engine.dispose()

    steps, ok = [], True
    with tempfile.TemporaryDirectory(prefix="bench-restore-") as directory:
        dump = Path(directory, "portal.dump")
        try:
            start = time.monotonic()
            subprocess.run(
                ["pg_dump", "--format=custom", "--compress=6", f"--file={dump}", f"--dbname={plain}/{url.database}"],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            steps.append(f"pg_dump {dump.stat().st_size / 1e6:.1f} MB in {time.monotonic() - start:.1f} s")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{target}"')
            start = time.monotonic()
            subprocess.run(
                ["pg_restore", "--no-owner", f"--dbname={plain}/{target}", str(dump)], check=True, capture_output=True
            )
            steps.append(f"pg_restore in {time.monotonic() - start:.1f} s")
            restored_url = url.set(database=target).render_as_string(hide_password=False)
            for command in (["files", "check"], ["counts", "check"]):
                proc = subprocess.run(
                    [harness.venv_tool("flask"), "--app", "portal", *command],
                    cwd=harness.ROOT, env={**env, "DATABASE_URL": restored_url}, capture_output=True, text=True,
                    check=False,
                )  # fmt: skip
                ok = ok and proc.returncode == 0
                last = (proc.stdout.strip().splitlines() or proc.stderr.strip().splitlines() or ["?"])[-1]
                steps.append(f"flask {' '.join(command)}: exit {proc.returncode} ({last[:80]})")
            original, restored = counts(url), counts(restored_url)
            same = original == restored
            ok = ok and same
            steps.append(
                "the same rows (" + ", ".join(f"{t} {n}" for t, n in restored.items()) + ")"
                if same
                else f"rows differ: {original} vs {restored}"
            )
        except (subprocess.CalledProcessError, sa.exc.SQLAlchemyError) as exc:
            ok = False
            steps.append(f"failed: {getattr(exc, 'stderr', '') or exc}")
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            admin.dispose()
    title = "6. a pg_dump taken while the servers run restores into a new database that passes the portal's checks"
    check.add(title, ok, "; ".join(steps))


# ---------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-seconds", type=int, default=20, help="seconds of the submission load of check 5")
    parser.add_argument("--load-users", type=int, default=10, help="concurrent submitting clients of check 5")
    harness.add_common_arguments(parser, db=False)
    args = parser.parse_args(argv)
    if args.load_seconds < 2 or args.load_users < 1:
        parser.error("--load-seconds must be at least 2 and --load-users positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    nginx_version = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True, check=False).stderr.strip()
    started = harness.header("scaleout.py", nginx_version.replace("nginx version: ", ""))
    if not harness.postgres_answers():
        raise harness.BenchError(f"PostgreSQL is not answering on {harness.PG_HOST}:{harness.PG_PORT}")
    # One set of secrets for every server, as production sets them in each server's environment; this process
    # uses them too (it creates the accounts, whose phone numbers are encrypted).
    from cryptography.fernet import Fernet

    shared = {
        "SECRET_KEY": secrets.token_hex(32),
        "PORTAL_DATA_KEYS": Fernet.generate_key().decode(),
        "PORTAL_HASH_KEY": secrets.token_hex(32),
    }
    os.environ.update({k: v for k, v in shared.items() if k != "SECRET_KEY"})
    redis_db = redis_database()
    check = Check()
    try:
        with contextlib.ExitStack() as stack:
            print("\n== preparing: PostgreSQL database, accounts, two data directories and search indexes", flush=True)
            app = stack.enter_context(harness.throwaway_portal("postgres", "scaleout"))
            accounts = load.create_accounts(app, applicants=4 + 2 * args.load_users, staff=2, editors=2)
            envs, urls = {}, {}
            for name in ("A", "B"):
                data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"bench-scaleout-{name}-")))
                env = harness.server_env(app)
                env.update(
                    shared, PORTAL_DATA_DIR=str(data_dir), PORTAL_TRUSTED_PROXIES="1",
                    RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{redis_db}",
                )  # fmt: skip
                seconds = build_index(app, data_dir, env)
                print(f"  server {name}: data directory {data_dir}, search index built in {seconds:.1f} s", flush=True)
                envs[name] = env
            logs = {name: Path(tempfile.gettempdir()) / f"bench-scaleout-{name}-{os.getpid()}.log" for name in "AB"}
            for name in ("A", "B"):
                urls[name] = stack.enter_context(
                    harness.gunicorn("wsgi:app", harness.ROOT, envs[name], f"server {name}", log_file=logs[name])
                )
            proxy = stack.enter_context(nginx(int(urls["A"].rsplit(":", 1)[1]), int(urls["B"].rsplit(":", 1)[1])))
            status, _body = harness.http_get(proxy + "/")
            for url in (urls["A"], urls["B"]):  # each worker loads jieba's dictionary on its first search (1–2 s)
                for _ in range(4 * harness.WORKERS):
                    harness.http_get(url + "/api/v1/search?q=" + quote("担保贷款"))
            print(f"  servers A {urls['A']}, B {urls['B']}; nginx {proxy} (GET / → {status}); Redis db {redis_db}\n")
            asyncio.run(run_checks(check, app, urls, proxy, accounts, args))
            check_restore(check, app, envs["B"])
            for name in ("A", "B"):
                print(f"  server {name}: " + load.server_log_summary(logs[name]))
    finally:
        flush_redis(redis_db)
    missed = [g.text for g in check.goals if not g.met]
    harness.write_json(args.json, started, {"checks": [g.__dict__ for g in check.goals]})
    print("\nAll checks met." if not missed else f"\n{len(missed)} of {len(check.goals)} checks missed.")
    return 1 if missed and args.strict else 0


async def run_checks(check: Check, app, urls, proxy: str, accounts, args) -> None:
    a, b = urls["A"], urls["B"]
    applicants = accounts["applicant"]
    await check_login(check, a, b, applicants[0])
    await check_processing(check, app, a, b, applicants[0], accounts["staff"][0])
    await check_publication(check, a, b, accounts["editor"], marker="青鸾计划")
    await check_limits(check, a, b, victim=applicants[1], applicant=applicants[2])
    await check_kill(check, app, proxy, urls["A"], applicants[4:], args)
    for account in applicants[:4] + accounts["staff"] + accounts["editor"]:
        if account.client is not None:
            await account.client.aclose()


if __name__ == "__main__":
    sys.exit(harness.run(main))
