"""What each gunicorn worker does before its first request (wsgi.py → portal.settle_for_serving): the areas' warm-ups
run (search's dictionary is loaded, so nobody's first search waits for it) and the start-up heap is frozen out of
the garbage collector's full collections (docs/performance.md: a 100 ms pause every few hundred requests before)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import gc, json
import wsgi
from portal.search import analyzer
print(json.dumps({"dictionary": analyzer._loaded, "frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
"""


def test_a_worker_is_warm_and_its_start_up_heap_frozen_before_it_serves(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/portal.db", "PORTAL_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["dictionary"] is True
    assert found["frozen"] > 50_000 and found["tracked"] < found["frozen"] // 10
