"""Relevance measured: the mean reciprocal rank of the expected page in the top five, over a set of queries.

The queries live in `bench/search-queries.yaml` (what returning workers, mentors and staff type, half of them in
everyday words, each with the pages that answer it). `bench/search_relevance.py` prints the figure and the misses;
`tests/test_search_relevance.py` keeps a floor under it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

QUERIES = Path(__file__).resolve().parents[2] / "bench" / "search-queries.yaml"
TOP = 5


@dataclass(frozen=True)
class Case:
    q: str
    expect: tuple[str, ...]
    who: str = ""
    style: str = ""


@dataclass
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the best expected page in the top five, None when missing
    got: list[str]

    @property
    def reciprocal(self) -> float:
        return 1.0 / self.rank if self.rank else 0.0


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def mrr(self, style: str | None = None) -> float:
        chosen = [o for o in self.outcomes if style is None or o.case.style == style]
        return sum(o.reciprocal for o in chosen) / len(chosen) if chosen else 0.0

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.rank != 1]


def load_cases(path: Path = QUERIES) -> list[Case]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(str(r["q"]), tuple(r["expect"]), r.get("who", ""), r.get("style", "")) for r in raw]


def evaluate(cases: list[Case], ids_for: Callable[[str], list[str]]) -> Report:
    """`ids_for(query)` gives the result ids in rank order (e.g. from `services.search`)."""
    report = Report()
    for case in cases:
        got = ids_for(case.q)[:TOP]
        rank = next((i + 1 for i, doc in enumerate(got) if doc in case.expect), None)
        report.outcomes.append(Outcome(case, rank, got))
    return report
