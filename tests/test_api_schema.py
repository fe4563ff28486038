"""The open-data API keeps the promises of its OpenAPI document: Schemathesis, all checks and all phases.

The portal is served on 127.0.0.1 (a port of its own, a database of its own) and Schemathesis's command line
runs against it, as it would in CI against a deployed server. Examples per operation are limited to keep the run
short; it is marked `slow` and runs in `make test` on both databases.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.extensions import limiter

MAX_EXAMPLES = int(os.environ.get("PORTAL_SCHEMATHESIS_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def live_api(isolated_app):
    isolated_app.config["RATELIMIT_ENABLED"] = False
    limiter.reset()
    server = make_server("127.0.0.1", 0, isolated_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    isolated_app.config["RATELIMIT_ENABLED"] = True


def _st() -> list[str]:
    found = shutil.which("st", path=str(Path(sys.executable).parent))
    assert found, "schemathesis is a dev dependency: `make install`"
    return [found]


@pytest.mark.slow
@pytest.mark.committing
def test_the_api_passes_schemathesis_with_all_checks_and_phases(live_api, tmp_path):
    command = [
        *_st(),
        "run",
        f"{live_api}/api/v1/openapi.json",
        "--url",
        live_api,
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "20260511",
        "--generation-database",
        "none",
        "--request-timeout",
        "20",
        "--no-color",
        "--report-dir",
        str(tmp_path),
    ]
    # run in a scratch folder: Schemathesis keeps a crash cache (.schemathesis/) where it runs
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    assert "No issues found" in output or "passed" in output, output[-3000:]
