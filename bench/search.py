"""Benchmark the search index: build rate, query latency, index size and how soon an update is visible.

1. A corpus of Chinese documents (20,000 by default) is generated deterministically from the real content's
   vocabulary (bench/search_corpus.py), with exactly the fields of ``portal.search.index.make_schema()``. Kinds are
   distributed like the real catalog. No database is involved.
2. The corpus is written into a fresh Whoosh index with the writer settings of ``SearchIndex.rebuild``
   (``index.writer_options``), then with the other writers named by ``--procs`` (``1``: one process,
   ``2``: procs=2 merged into one segment, ``2m``: procs=2, multisegment): documents/s of add + commit.
3. A fixed list of 200 queries runs through the portal's query path (``cut`` → ``build_query`` →
   ``services._run``: count and facet every match, score the best, re-rank; then the highlighted snippets of
   ``services.search``): p50/p95/p99/max. The same queries also go through ``portal.search.services.search()``
   itself (fallback queries, suggestions, url_for), which is what the search page calls.
4. Update visibility: one document updated on the big index until a refreshed searcher finds it; and end to end
   on a small SQLite database with the real content: a policy renamed through ``db.session`` until
   ``services.search`` (``sync_if_stale``, throttled to 0.5 s per process) returns it, polling every 20 ms.
5. Index size on disk.

Usage::

    .venv/bin/python bench/search.py [--docs 20000] [--queries 200] [--seed 2024] [--procs 1,2] [--strict]

The first index (the portal's writer) is the one queried, updated and measured for size.

Exit status: 0 when the benchmark ran (goals met or not), 1 with ``--strict`` when a goal was missed.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import harness
import yaml
from harness import Goal, Samples
from search_corpus import KINDS, CorpusMaker, load_vocabulary, make_queries
from whoosh import index as whoosh_index
from whoosh.query import And, Term

from portal.search import snippets, terms
from portal.search.analyzer import cut
from portal.search.index import State, make_schema
from portal.search.index import writer_options as portal_writer_options
from portal.search.services import _run

BUILD_RATE_GOAL = 300.0  # documents/s
P95_GOAL_MS = 30.0
REAL_P95_GOAL_MS = 10.0
VISIBLE_GOAL_MS = 1000.0
WARMUP_QUERIES = 30
POLL_SECONDS = 0.02
VISIBILITY_TRIALS = 5
PROBE = "创业担保贷款"  # a query with many hits


@dataclass
class Build:
    label: str
    docs: int
    seconds: float
    bytes: int
    segments: int
    directory: Path

    @property
    def rate(self) -> float:
        return self.docs / self.seconds


@dataclass
class Latency(Samples):
    hits: Counter = field(default_factory=Counter)

    def line(self, queries: list[str], documents: int) -> str:
        """Its row (with hits/without), and its five slowest queries."""
        worst = sorted(zip(self.ms, queries, strict=True), reverse=True)[:5]
        return (
            f"  {self.row(44, 1)}   {self.hits['with hits']}/{self.hits['no hits']}   ({documents} documents)\n"
            "    slowest: " + ", ".join(f"{q} {ms:.0f} ms" for ms, q in worst)
        )


# ---------------------------------------------------------------------------------------------- building


def writer_options(spec: str, documents: int) -> tuple[str, dict]:
    """Writer options by spec: "portal" is what SearchIndex.rebuild uses (index.writer_options), "1" one process,
    "2" procs=2 merged into one segment at commit, "2m" procs=2 with multisegment=True."""
    if spec == "portal":
        options = portal_writer_options(documents)
        extra = ", ".join(f"{k}={v}" for k, v in options.items() if k != "limitmb")
        return f"SearchIndex.rebuild's ({extra or 'procs=1'})", options
    procs = int(spec.rstrip("m"))
    if procs == 1:
        return "procs=1", {"limitmb": 128}
    if spec.endswith("m"):
        return f"procs={procs}, multisegment", {"limitmb": 128, "procs": procs, "multisegment": True}
    return f"procs={procs}, merged", {"limitmb": 128, "procs": procs}


def build_index(directory: Path, docs: list[dict], spec: str) -> Build:
    from portal.search import analyzer

    label, options = writer_options(spec, len(docs))
    # Every build starts as a fresh `flask search reindex` would: no per-process analyzer caches filled yet.
    for name in dir(analyzer):
        with contextlib.suppress(AttributeError, TypeError):
            getattr(analyzer, name).cache_clear()
    directory.mkdir(parents=True)
    ix = whoosh_index.create_in(str(directory), make_schema())
    start = time.perf_counter()
    writer = ix.writer(**options)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    seconds = time.perf_counter() - start
    with ix.searcher() as searcher:
        count = searcher.doc_count()
    segments = len(ix._segments())
    ix.close()
    if count != len(docs):
        raise RuntimeError(f"{label}: index holds {count} documents, {len(docs)} were added")
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    return Build(label, len(docs), seconds, size, segments, directory)


def analyzer_rate(docs: list[dict]) -> tuple[float, float]:
    """Documents/s and characters/s of the analyzer alone over the text fields (no index writing)."""
    schema = make_schema()
    fields = [(name, schema[name].analyzer) for name in ("title", "body")]
    chars = 0
    start = time.perf_counter()
    for doc in docs:
        for name, analyzer in fields:
            chars += len(doc[name])
            for _ in analyzer(doc[name], positions=True, chars=True):
                pass
    seconds = time.perf_counter() - start
    return len(docs) / seconds, chars / seconds


# ---------------------------------------------------------------------------------------------- querying


def everyday_words() -> terms.Vocabulary:
    """The synonym table and question words of content/search-terms.yaml, as the portal reads them."""
    rows = yaml.safe_load((harness.ROOT / "content" / "search-terms.yaml").read_text(encoding="utf-8"))
    return terms.Vocabulary.build([(r["role"], r["name"], r["words"], r.get("prefers")) for r in rows])


WORDS = None


def core_search(searcher, text: str) -> int:
    """What services.search does for page 1 of a query without Flask or the database: read the query with the
    synonym table, count and facet every match, score the best, re-rank, choose 10 snippets."""
    global WORDS
    WORDS = WORDS or everyday_words()
    groups = WORDS.read(text)
    if not groups:
        return 0
    phrases = ["".join(text.split())] if len(groups) > 1 else []
    hits, total, _counts = _run(searcher, groups, True, None, 1, 10, phrases)
    if total == 0 and len(groups) > 1:
        hits, total, _counts = _run(searcher, groups, False, None, 1, 10, phrases)
    for _score, hit in hits:
        snippets.snippet(hit.get("text") or "", hit["title"], [g.words for g in groups])
    return total


def bare_whoosh(searcher, text: str) -> int:
    """The trivial baseline: the words as cut, all required, Whoosh's top 10 — no synonyms, facets, re-ranking
    or snippets."""
    words = cut(text)
    if not words:
        return 0
    return searcher.search(And([Term("body", w) for w in words]), limit=10).scored_length()


def portal_search(app, remembered: bool = True):
    """services.search(q) as the search view calls it, in a request context: returns its result. With
    `remembered=False` every query is answered as if it had not been asked since the index last changed (the
    searcher's remembered answers are dropped first; its cached posting sets stay, as they would)."""
    from portal.search import index, services

    def search(q: str):
        with app.test_request_context("/search"):
            if not remembered:
                searcher = index.for_app(app).searcher()
                if searcher is not None:
                    vars(searcher).pop("_portal_results", None)
            return services.search(q)

    return search


def load_everyday_words() -> None:
    """The synonym table and direct answers of content/, into an otherwise empty portal database."""
    from portal.content import entries
    from portal.extensions import db
    from portal.search.models import SearchAnswer, SearchTerm

    for kind, model in (("search-terms", SearchTerm), ("answers", SearchAnswer)):
        for raw in yaml.safe_load((harness.ROOT / "content" / f"{kind}.yaml").read_text(encoding="utf-8")):
            data, _problems = entries.check_fields(entries.KINDS[kind], raw)
            db.session.add(model(**{k: v for k, v in data.items()}))
    db.session.commit()


def time_queries(label: str, queries: list[str], run) -> Latency:
    for q in queries[:WARMUP_QUERIES]:
        run(q)
    latency = Latency(label)
    for q in queries:
        ms, total = harness.timed(run, q)
        latency.ms.append(ms)
        latency.hits["with hits" if total else "no hits"] += 1
    return latency


def full_search_latency(queries: list[str], data_dir: Path, built: Path) -> Latency:
    """services.search() on the big index, installed as the live generation of a SearchIndex (as rebuild would)."""
    from portal.extensions import db
    from portal.search import index

    generation = data_dir / "search" / "gen-bench"
    generation.parent.mkdir(parents=True)
    built.rename(generation)
    (generation / "SCHEMA").write_text(index.SCHEMA_VERSION)
    State(last_id=0).write(generation)
    (generation.parent / "CURRENT").write_text(generation.name)
    app = harness.portal_app(f"sqlite:///{data_dir / 'full.sqlite3'}", data_dir)
    with app.app_context():
        db.create_all()
        load_everyday_words()
        first, again = portal_search(app, remembered=False), portal_search(app)
        try:
            first_time = time_queries("services.search(), first time", queries, lambda q: first(q).total)
            for q in queries:  # every query answered once on this searcher, so that the next pass finds them all
                again(q)
            return first_time, time_queries("services.search(), asked again", queries, lambda q: again(q).total)
        finally:
            index.for_app(app).close()


# ---------------------------------------------------------------------------------------------- updates


@dataclass
class RawUpdate:
    commit_ms: list[float]
    visible_ms: list[float]
    first_search_ms: list[float]  # the first full search on the refreshed searcher (rebuilds per-searcher caches)
    next_search_ms: list[float]  # the same search again


def raw_update_visibility(directory: Path, docs: list[dict], trials: int) -> RawUpdate:
    """update_document + commit on the big index until a refreshed searcher finds the new word."""
    ix = whoosh_index.open_dir(str(directory))
    searcher = ix.searcher()
    core_search(searcher, PROBE)
    update = RawUpdate([], [], [], [])
    r = random.Random(7)
    try:
        for trial in range(trials):
            doc = dict(r.choice(docs))
            word = f"benchupd{trial}x{r.randrange(10**6)}"
            doc["title"] = f"{doc['title']} {word}"
            doc["body"] = f"{doc['body']}\n{word}"  # the title is searched through the body field
            query = And([Term("body", w) for w in cut(word)])
            start = time.perf_counter()
            writer = ix.writer(limitmb=128)
            writer.update_document(**doc)
            writer.commit()
            update.commit_ms.append((time.perf_counter() - start) * 1000)
            while True:
                if not searcher.up_to_date():
                    searcher = searcher.refresh()
                if searcher.search(query, limit=1).scored_length():
                    break
                if time.perf_counter() - start > 30:
                    raise RuntimeError("the updated document never became visible")
            update.visible_ms.append((time.perf_counter() - start) * 1000)
            update.first_search_ms.append(harness.timed(core_search, searcher, PROBE)[0])
            update.next_search_ms.append(harness.timed(core_search, searcher, PROBE)[0])
    finally:
        searcher.close()
        ix.close()
    return update


@dataclass
class PortalPath:
    catalog_docs: int
    rebuild_ms: float
    body_chars: dict[str, float]
    visible_ms: list[float]
    queries: Latency


def portal_update_visibility(trials: int, queries: list[str]) -> PortalPath:
    """The real path on SQLite: migrate, load content, rebuild, rename a policy, poll services.search every 20 ms."""
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.policies.models import Policy
    from portal.search import documents, index

    with harness.throwaway_portal("sqlite", "search") as app, app.app_context():
        store = index.for_app(app)
        rebuild_ms, _ = harness.timed(store.rebuild)
        lengths: dict[str, list[int]] = {}
        for kind, obj in documents.iter_all():
            lengths.setdefault(kind, []).append(len(documents.to_document(kind, obj)["body"]))
        search = portal_search(app)
        first = portal_search(app, remembered=False)
        catalog_queries = time_queries("services.search(), real content, first time", queries, lambda q: first(q).total)
        r = random.Random(11)
        policies = list(db.session.scalars(sa.select(Policy).order_by(Policy.id)))
        visible = []
        for trial in range(trials):
            policy = policies[trial % len(policies)]
            word = f"benchrename{trial}x{r.randrange(10**6)}"
            search(PROBE)  # a search just before: the 0.5 s throttle starts now
            time.sleep(r.uniform(0, 0.5))  # the change comes at an arbitrary point of the throttle window
            policy.name = f"{policy.name}（{word}）"
            start = time.perf_counter()
            db.session.commit()
            while not any(hit.id == f"policy:{policy.slug}" for hit in search(word).hits):
                if time.perf_counter() - start > 30:
                    raise RuntimeError("the renamed policy never became visible")
                time.sleep(POLL_SECONDS)
            visible.append((time.perf_counter() - start) * 1000)
        store.close()
        body_chars = {kind: statistics.mean(values) for kind, values in lengths.items()}
        return PortalPath(sum(len(v) for v in lengths.values()), rebuild_ms, body_chars, visible, catalog_queries)


# ---------------------------------------------------------------------------------------------- report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000, help="documents in the generated corpus (default 20000)")
    parser.add_argument("--queries", type=int, default=200, help="queries timed (default 200)")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the corpus and queries (default 2024)")
    parser.add_argument(
        "--procs",
        default="1,2",
        help="other writers to compare with the portal's, comma-separated: 1 (one process), 2 (procs=2, merged) "
        "or 2m (procs=2, multisegment); empty for none (default 1,2)",
    )
    harness.add_common_arguments(parser, db=False, json_file=False)
    args = parser.parse_args(argv)
    others = [p.strip() for p in args.procs.split(",") if p.strip()]
    if not all(re.fullmatch(r"\d+m?", w) and int(w.rstrip("m")) >= 1 for w in others):
        parser.error("--procs takes 1, 2, 2m… separated by commas")
    args.writers = ["portal", *others]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cpu = harness.CpuShare()
    harness.header("search.py")
    print(f"command: .venv/bin/python bench/search.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp_name:
        tmp = Path(tmp_name)
        with harness.portal_app("sqlite://", tmp / "vocab").app_context():
            vocab = load_vocabulary()
        start = time.perf_counter()
        docs = CorpusMaker(vocab, args.seed).corpus(args.docs)
        queries = make_queries(vocab, docs, args.queries, args.seed)
        kinds = Counter(d["kind"] for d in docs)
        bodies = [len(d["body"]) for d in docs]
        titles = [len(d["title"]) for d in docs if d["kind"] != "mentor"]
        analysed = sum(len(d["title"]) + len(d["body"]) for d in docs)
        print(
            f"\ncorpus: {len(docs)} documents generated in {time.perf_counter() - start:.1f} s (seed {args.seed}): "
            + ", ".join(f"{k} {kinds[k]}" for k in KINDS)
            + f"\n  bodies {statistics.mean(bodies):.0f} characters on average ({min(bodies)}–{max(bodies)}); titles "
            f"{min(titles)}–{max(titles)} characters (mentors: person names); {analysed / 1e6:.1f} M characters to "
            f"analyse; recombined from {len(vocab.sentences['any'])} sentences of content/"
        )
        doc_rate, char_rate = analyzer_rate(docs[:2000])
        print(f"  ChineseAnalyzer alone: {doc_rate:.0f} documents/s ({char_rate / 1000:.0f} k characters/s)")

        print("\nbuild: add_document × N + commit, ix.writer(limitmb=128, …)")
        builds = []
        for spec in args.writers:
            builds.append(build := build_index(tmp / f"ix-{spec}", docs, spec))
            print(
                f"  {build.label:<52} {build.seconds:7.1f} s {build.rate:7.0f} documents/s "
                f"{build.bytes / 1e6:7.1f} MB  {build.segments} segment(s)"
            )
        main_build, best = builds[0], max(builds, key=lambda b: b.rate)
        for build in builds[1:]:
            shutil.rmtree(build.directory, ignore_errors=True)
        ix = whoosh_index.open_dir(str(main_build.directory))
        with ix.searcher() as searcher:
            bare = time_queries("bare Whoosh (baseline: words, top 10)", queries, lambda q: bare_whoosh(searcher, q))
            core = time_queries("read+_run+snippets (no Flask, no DB)", queries, lambda q: core_search(searcher, q))
        ix.close()
        raw = raw_update_visibility(main_build.directory, docs, VISIBILITY_TRIALS)
        full, full_again = full_search_latency(queries, tmp / "full", main_build.directory)
        real = portal_update_visibility(VISIBILITY_TRIALS, queries)

    print(
        f"\nqueries: {len(queries)} fixed queries, {WARMUP_QUERIES} warm-up first; ms; "
        f"with hits/without (on page 1 of the all-words query)\n  {harness.row_header(44)}   hits"
    )
    print(bare.line(queries, len(docs)))
    print(core.line(queries, len(docs)))
    print(full.line(queries, len(docs)))
    print(full_again.line(queries, len(docs)))
    print(real.queries.line(queries, real.catalog_docs))
    print(
        f"\nupdate visibility\n  {len(docs)}-document index: update_document + commit {median(raw.commit_ms):.0f} ms "
        f"(median), found by a refreshed searcher after {median(raw.visible_ms):.0f} ms median, "
        f"{max(raw.visible_ms):.0f} ms max ({VISIBILITY_TRIALS} trials)\n"
        f"  first search on the refreshed searcher {median(raw.first_search_ms):.0f} ms (median; "
        f"per-searcher facet maps rebuilt), the same search again {median(raw.next_search_ms):.0f} ms\n"
        f"  portal path (SQLite, real content): policy renamed + committed → services.search finds it after "
        f"{median(real.visible_ms):.0f} ms median, {max(real.visible_ms):.0f} ms max "
        f"({VISIBILITY_TRIALS} trials, polling every {POLL_SECONDS * 1000:.0f} ms; sync_if_stale throttles to 0.5 s)\n"
        f"  (real content: {real.catalog_docs} documents, rebuilt in {real.rebuild_ms:.0f} ms; average body "
        + ", ".join(f"{k} {v:.0f}" for k, v in real.body_chars.items())
        + f" characters)\n\nindex size: {main_build.bytes / 1e6:.1f} MB for {len(docs)} documents "
        f"({main_build.bytes / len(docs):.0f} bytes/document)"
    )
    goals = [
        Goal(
            f"build ≥ {BUILD_RATE_GOAL:.0f} documents/s, {main_build.label}",
            main_build.rate >= BUILD_RATE_GOAL,
            f"{main_build.rate:.0f}/s" + (f" (best: {best.label} {best.rate:.0f}/s)" if best is not main_build else ""),
        ),
        *(
            Goal(f"query p95 ≤ {P95_GOAL_MS:.0f} ms, {label}", lat.pct(95) <= P95_GOAL_MS, f"{lat.pct(95):.1f} ms")
            for label, lat in ((core.label, core), (full.label, full))
        ),
        Goal(
            f"query p95 ≤ {REAL_P95_GOAL_MS:.0f} ms, real content, first time",
            real.queries.pct(95) <= REAL_P95_GOAL_MS,
            f"{real.queries.pct(95):.1f} ms",
        ),
        *(
            Goal(
                f"update visible ≤ {VISIBLE_GOAL_MS:.0f} ms, {what} (max)",
                max(ms) <= VISIBLE_GOAL_MS,
                f"{max(ms):.0f} ms",
            )
            for what, ms in (("refreshed searcher", raw.visible_ms), ("portal path", real.visible_ms))
        ),
    ]
    print(f"\nmachine: {cpu.others()}; {harness.load_average()}")
    harness.print_goals(goals)
    return 1 if args.strict and not all(g.met for g in goals) else 0


if __name__ == "__main__":
    sys.exit(harness.run(main))
