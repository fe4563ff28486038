"""What the browser journeys share: the portal served by gunicorn on 127.0.0.1, Debian's Chromium, the two screens,
and a screenshot of each step under test-artifacts/ (ignored by git). See docs/testing.md."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
ARTIFACTS = ROOT / "test-artifacts"
GUNICORN_WORKERS = 2  # the CI machine has two cores


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(app, **extra: str) -> dict[str, str]:
    """The environment of `gunicorn wsgi:app` on `app`'s throwaway database and data directory: plain-HTTP cookies,
    the development SMS outbox page (the journey reads its verification code there) and messages sent at once."""
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FLASK_DEBUG", "DATABASE_URL")}
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        PORTAL_DATA_DIR=app.config["PORTAL_DATA_DIR"],
        SECRET_KEY=secrets.token_hex(32),
        PORTAL_COOKIE_SECURE="0",
        PORTAL_DEV_OUTBOX="1",
        PORTAL_NOTIFY_INLINE="1",
        **extra,
    )
    return env


@contextlib.contextmanager
def gunicorn(app, timeout: float = 60.0, **extra_env: str) -> Iterator[str]:
    """`gunicorn -w 2 -b 127.0.0.1:<free port> wsgi:app` serving `app`'s database, in its own process group; yields
    its base URL once it answers. Stopped on exit (SIGTERM, then SIGKILL to its group after 20 s)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    gunicorn_bin = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn_bin), "-w", str(GUNICORN_WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=server_env(app, **extra_env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

        def tail() -> str:
            log.seek(0)
            return "\n".join(log.read().decode(errors="replace").splitlines()[-40:])

        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{tail()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{tail()}")
                try:
                    with urllib.request.urlopen(base_url + "/account/login", timeout=2):  # noqa: S310 (our own)
                        break
                except OSError:
                    time.sleep(0.2)
            yield base_url
            assert proc.poll() is None, f"gunicorn died during the tests:\n{tail()}"
            log.seek(0)
            whole = log.read().decode(errors="replace")
            assert "Traceback" not in whole and " ERROR " not in whole, f"the server logged errors:\n{whole[-6000:]}"
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])


class Screens:
    """Numbered screenshots of one journey: test-artifacts/<journey>/01-<step>.png, …"""

    def __init__(self, journey: str) -> None:
        self.folder = ARTIFACTS / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page, step: str) -> None:
        self.count += 1
        name = re.sub(r"[^a-z0-9-]+", "-", step.lower()).strip("-")
        # The screen as the person sees it: a full-page shot resizes the page and made the next click on a phone miss.
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"))
