"""Searching the catalog: query building, ranking, facets, snippets and suggestions."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import chain, islice

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from whoosh.query import And, Or, Term

from portal.search import answers, documents, index, scoring, snippets, terms
from portal.search.analyzer import normalize

MAX_QUERY_CHARS = 100
PER_PAGE = 10


@dataclass
class Hit:
    id: str
    kind: str
    kind_label: str
    title: str
    url: str
    snippet: str
    score: float
    county: list[str]
    subtitle: str
    sample: bool


@dataclass
class Results:
    query: str
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    partial: bool = False  # True when not every word matched and we show the closest results
    groups: list[terms.Group] = field(default_factory=list)  # what the query asks for, as the synonym table reads it

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def clean_query(raw: str | None) -> tuple[str, list[str]]:
    """NFKC-normalise and shorten what the user typed; say so when it had to be cut."""
    notices = []
    text = normalize(raw or "")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(_("搜索词太长，只用了前 %(n)s 个字。", n=MAX_QUERY_CHARS))
    return text, notices


def _filters(kind: str | None, county: str | None):
    parts = []
    if kind:
        parts.append(Term("kind", kind))
    if county:
        parts.append(Or([Term("county", county), Term("county", documents.CITYWIDE)]))
    return And(parts) if parts else None


def _suggest(searcher, words: list[str]) -> list[str]:
    """Close words from the index vocabulary: e.g. 贷 → 贷款."""
    suggestions: list[str] = []
    for word in words[:3]:
        for fieldname in ("title", "body"):
            for candidate in searcher.corrector(fieldname).suggest(word, limit=3, maxdist=1, prefix=1):
                if candidate != word and candidate not in suggestions:
                    suggestions.append(candidate)
    return suggestions[:5]


def popular_terms() -> list[str]:
    """Offered when a search finds nothing and no close word exists."""
    return [_("创业担保贷款"), _("创业培训"), _("孵化基地"), _("创业导师"), _("示范园区")]


RERANK_EXTRA = 40
ANSWER_GUIDE_BOOST = 2.0  # the guide a direct answer names (measured on bench/search-queries.yaml: 1.5 → 2.0)
RESULTS_CACHE = 1000  # answered queries a searcher keeps: the same query on the same index gives the same page
PREFIX_WORDS = 20  # index words a word beginning stands for


def get_locale_name() -> str:
    return str(get_locale() or "")


def _facet_maps(searcher) -> tuple[list[str | None], list[tuple[str, ...]]]:
    """Document number -> kind and -> counties, read once per searcher from the postings (cheap to count with)."""
    maps = getattr(searcher, "_portal_facet_maps", None)
    if maps is None:
        reader = searcher.reader()
        size = reader.doc_count_all()
        kind_of: list[str | None] = [None] * size
        counties_of: list[tuple[str, ...]] = [()] * size
        for term in reader.lexicon("kind"):
            name = term.decode() if isinstance(term, bytes) else term
            for docnum in reader.postings("kind", term).all_ids():
                kind_of[docnum] = name
        for term in reader.lexicon("county"):
            name = term.decode() if isinstance(term, bytes) else term
            for docnum in reader.postings("county", term).all_ids():
                counties_of[docnum] = (*counties_of[docnum], name)
        maps = (kind_of, counties_of)
        searcher._portal_facet_maps = maps
    return maps


def _run(searcher, groups, require_all, filter_q, page: int, per_page: int, phrases: list[str], boost=frozenset()):
    """(page of (score, stored fields), total, facet counts). Every match is counted from the postings kept per
    searcher; BM25 picks the best few (scoring.py), which are then re-ranked:
    up to ×3 by the share of the query's groups in the title (and subtitle), ×2 for the whole phrase in the title or
    ×1.5 in the text, ×1.3 when the title begins with the query's first word, ×2 for the kind of page the words ask
    for (导师 → mentors), ×1.5 for the guide a direct answer comes from."""
    postings = scoring.for_searcher(searcher)
    words = [g.words for g in groups]
    matched = postings.matching(words, require_all)
    if matched and filter_q is not None:
        matched &= set(searcher.docs_for_query(filter_q))
    if not matched:
        return [], 0, {"kind": {}, "county": {}}
    preferred = {g.prefers for g in groups if g.prefers}

    def ranked(score: float, hit: dict) -> float:
        title = hit.get("title", "").lower()
        heading = title + " " + (hit.get("subtitle") or "").lower()
        share = sum(1 for g in groups if any(w in heading for w in g.words)) / len(groups)
        score *= 1.0 + 2.0 * share
        if any(p in title for p in phrases):
            score *= 2.0
        elif any(p in (hit.get("text") or "").lower() for p in phrases):
            score *= 1.5
        if any(title.startswith(w) for w in groups[0].words if len(w) > 1):
            score *= 1.3  # the page is about what the query begins with, not one that mentions it
        if hit["kind"] in preferred:
            score *= 2.0
        if hit["id"] in boost:
            score *= ANSWER_GUIDE_BOOST
        return score

    best = postings.best(words, matched, page * per_page + RERANK_EXTRA)
    scored = []
    for score, negative_docnum in best:
        hit = searcher.stored_fields(-negative_docnum)
        scored.append((ranked(score, hit), -negative_docnum, hit))
    scored.sort(key=lambda t: (-t[0], t[1]))
    kind_of, counties_of = _facet_maps(searcher)
    kinds = Counter(map(kind_of.__getitem__, matched))
    kinds.pop(None, None)
    counties = Counter(chain.from_iterable(map(counties_of.__getitem__, matched)))
    start = (page - 1) * per_page
    page_hits = [(score, hit) for score, _docnum, hit in scored[start : start + per_page]]
    return page_hits, len(matched), {"kind": dict(kinds), "county": dict(counties)}


def _prefix_groups(searcher, groups: list[terms.Group]) -> list[terms.Group]:
    """Single characters and word beginnings: 贷 finds 贷款. Each word stands for the index words it begins."""
    reader = searcher.reader()
    widened = []
    for group in groups:
        words = list(group.words)
        for word in group.words:
            words += [t for t in islice(_expand(reader, word), PREFIX_WORDS) if t not in words]
        widened.append(terms.Group(group.head, tuple(words), group.typed))
    return widened


def _expand(reader, prefix: str):
    for term in reader.expand_prefix("body", prefix):
        yield term.decode() if isinstance(term, bytes) else term


def search(
    raw_query: str | None,
    kind: str | None = None,
    county: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Results:
    text, notices = clean_query(raw_query)
    result = Results(query=text, page=page, per_page=per_page, notices=notices)
    if kind and kind not in documents.KINDS:
        result.notices.append(_("没有“%(kind)s”这类内容，已在全部类别中搜索。", kind=kind[:20]))
        kind = None
    if not text:
        return result
    vocab = terms.vocabulary()
    groups = vocab.read(text)
    result.groups = groups
    if not groups:
        if not any(ch.isalnum() for ch in text):
            result.notices.append(_("没有可以搜索的文字，请输入要找的内容，比如“担保贷款”。"))
        else:
            result.notices.append(_("请说说您想找什么，比如“贷款”“培训”“导师”。"))
        return result

    store = index.for_app(current_app)
    store.sync_if_stale()
    searcher = store.searcher()
    if searcher is None:
        result.notices.append(_("搜索暂时不可用，请稍后再试。"))
        return result

    # Answers are kept per searcher (a searcher is replaced when the index changes) and per version of the
    # everyday-words table and of the direct answers (both change the ranking).
    key = (vocab.version, answers.version(), text, kind, county, page, per_page, get_locale_name())
    cache = getattr(searcher, "_portal_results", None)
    if cache is None:
        cache = searcher._portal_results = {}
    found = cache.get(key)
    if found is None:
        found = Results(query=text, page=page, per_page=per_page)
        _search(searcher, found, groups, text, kind, county, page, per_page)
        if len(cache) >= RESULTS_CACHE:
            cache.clear()
        cache[key] = found
    return replace(found, notices=[*result.notices, *found.notices], hits=list(found.hits), groups=groups)


def _search(searcher, result: Results, groups, text, kind, county, page, per_page) -> None:
    filter_q = _filters(kind, county)
    phrases = [p for p in {"".join(text.split()), "".join(g.head for g in groups)} if len(groups) > 1 and p]
    # The guide a direct answer comes from is the page that answers the question — unless the query asks for
    # another kind of page (税务 导师 wants mentors, not the guide about mentoring).
    asks_for_other = any(g.prefers and g.prefers != "policy" for g in groups)
    boost = frozenset() if asks_for_other else frozenset(f"policy:{s}" for s in answers.guides_for(text, groups))
    hits, total, counts = _run(searcher, groups, True, filter_q, page, per_page, phrases, boost)
    if total == 0 and len(groups) > 1:
        hits, total, counts = _run(searcher, groups, False, filter_q, page, per_page, phrases, boost)
        result.partial = total > 0
    if total == 0:
        groups = _prefix_groups(searcher, groups)
        hits, total, counts = _run(searcher, groups, True, filter_q, page, per_page, phrases, boost)
        if total == 0 and len(groups) > 1:
            hits, total, counts = _run(searcher, groups, False, filter_q, page, per_page, phrases, boost)
        result.partial = total > 0
    if page > 1 and not hits and total:
        result.notices.append(_("没有第 %(page)s 页，已显示第 1 页。", page=page))
        hits, total, counts = _run(searcher, groups, not result.partial, filter_q, 1, per_page, phrases, boost)
        result.page = 1
    result.total = total
    if total == 0:
        result.suggestions = _suggest(searcher, [g.typed for g in groups])
        return
    highlight = [g.words for g in groups]
    for score, hit in hits:
        spec = documents.KINDS[hit["kind"]]
        result.hits.append(
            Hit(
                id=hit["id"],
                kind=hit["kind"],
                kind_label=str(documents.KIND_LABELS[hit["kind"]]),
                title=hit["title"],
                url=url_for(spec.endpoint, **spec.url_args(hit["slug"])),
                snippet=str(snippets.snippet(hit.get("text") or "", hit["title"], highlight)),
                score=round(score, 4),
                county=[c for c in (hit.get("county") or "").split(",") if c],
                subtitle=hit.get("subtitle", ""),
                sample=bool(hit.get("sample")),
            )
        )
    kind_counts = counts["kind"]
    result.facets["kind"] = [
        (code, str(documents.KIND_LABELS[code]), n) for code, n in sorted(kind_counts.items(), key=lambda x: -x[1])
    ]
    county_counts = counts["county"]
    result.facets["county"] = [
        (name, name, n) for name, n in sorted(county_counts.items(), key=lambda x: (-x[1], x[0])) if name
    ]
