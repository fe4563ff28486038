"""A floor under search relevance: the MRR@5 of bench/search-queries.yaml on the real content (docs/search.md)."""

from __future__ import annotations

from portal.search import relevance, services

# Measured 0.980 when this floor was set (docs/search.md); the goal is 0.9. Raise it when search improves.
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

    known = {f"{kind}:{obj.slug}" for kind, obj in documents.iter_all()}
    for case in relevance.load_cases():
        assert set(case.expect) <= known, (case.q, set(case.expect) - known)
