"""Search relevance on the real content: MRR@5 of the expected page over bench/search-queries.yaml, and the misses.

Builds a throwaway SQLite database from content/, indexes it, and runs every query through
``portal.search.services.search`` (the search page's own path, synonym table included).

Usage::

    .venv/bin/python bench/search_relevance.py [--queries bench/search-queries.yaml] [--strict]

Exit status: 0 when it ran; 1 with ``--strict`` when the MRR is below the goal (0.9).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL = 0.9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", default=str(ROOT / "bench" / "search-queries.yaml"))
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()

    import sqlalchemy as sa

    from portal import create_app
    from portal.content.loader import apply_content, read_content
    from portal.extensions import db
    from portal.search import index, relevance, services, terms
    from portal.search.models import SearchTerm

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/relevance.db",
                "PORTAL_DATA_DIR": tmp,
                "TESTING": True,
                "SECRET_KEY": "bench-only",
                "RATELIMIT_STORAGE_URI": "memory://",
                "PAGE_CACHE": False,
            }
        )
        with app.app_context():
            db.create_all()
            apply_content(read_content(ROOT / "content"))
            db.session.commit()
            index.for_app(app).rebuild()
            cases = relevance.load_cases(Path(args.queries))
            with app.test_request_context():
                report = relevance.evaluate(cases, lambda q: [h.id for h in services.search(q).hits])
                # The same queries without the everyday words (synonyms and question words): what they add.
                db.session.execute(sa.delete(SearchTerm))
                terms.forget()
                plain = relevance.evaluate(cases, lambda q: [h.id for h in services.search(q).hits])
                db.session.rollback()
                terms.forget()
    print(f"search relevance: {len(cases)} queries from {Path(args.queries).relative_to(ROOT)}; MRR@5")
    print("                          this version   without the everyday words (search-terms.yaml emptied)")
    for style in ("official", "everyday"):
        n = sum(1 for o in report.outcomes if o.case.style == style)
        print(f"  {style:9} {n:3} queries  {report.mrr(style):12.3f}   {plain.mrr(style):.3f}")
    print(f"  all       {len(cases):3} queries  {report.mrr():12.3f}   {plain.mrr():.3f}")
    verdict = "met" if report.mrr() >= GOAL else "MISSED"
    print(f"  goal ≥ {GOAL}: {verdict}")
    if report.misses:
        print("not first:")
        for o in report.misses:
            rank = f"rank {o.rank}" if o.rank else "not in top 5"
            print(f"  {o.case.q}  ({o.case.who}, {o.case.style}): {rank}; expected {', '.join(o.case.expect)}")
            print(f"      got: {', '.join(o.got) or '—'}")
    return 1 if args.strict and report.mrr() < GOAL else 0


if __name__ == "__main__":
    sys.exit(main())
