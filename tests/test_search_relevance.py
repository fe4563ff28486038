"""A floor under search relevance: the MRR@5 of bench/search-queries.yaml on the real content (docs/search.md)."""

from __future__ import annotations

import pytest

from portal.search import relevance, services

# Measured 0.988 when this floor was set (docs/search.md); the goal is 0.9. Raise it when search improves.
FLOOR = 0.95


def test_relevance_stays_above_its_floor(app):
    cases = relevance.load_cases()
    assert len(cases) >= 60
    assert sum(1 for c in cases if c.style == "everyday") * 2 >= len(cases)  # at least half in everyday words
    with app.test_request_context():
        report = relevance.evaluate(cases, lambda q: [h.id for h in services.search(q).hits])
    misses = "\n".join(f"{o.case.q}: rank {o.rank}, got {o.got}" for o in report.misses)
    assert report.mrr() >= FLOOR, f"MRR@5 {report.mrr():.3f} < {FLOOR}\n{misses}"


def test_the_expected_pages_exist(client):
    """A renamed or removed page must be fixed in the query set, not silently counted as a miss."""
    from portal.search import documents

    known = {f"{kind}:{documents.KINDS[kind].key_of(obj)}" for kind, obj in documents.iter_all()}
    for case in relevance.load_cases():
        assert set(case.expect) <= known, (case.q, set(case.expect) - known)


ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _run(*args: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, env=_clean_env()
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _clean_env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}


def test_the_relevance_benchmark_the_readme_names_runs_and_meets_its_goal():
    out = _run("bench/search_relevance.py", "--strict")
    assert "66 queries" in out and "goal ≥ 0.9: met" in out


@pytest.mark.slow
def test_the_speed_benchmark_the_readme_names_runs_on_a_small_corpus():
    out = _run("bench/search.py", "--docs", "300", "--queries", "40", "--procs", "")
    assert "bare Whoosh (baseline" in out and "services.search(), first time" in out and "goals" in out
