"""Searching the catalog: query building, ranking, facets, snippets and suggestions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import gettext as _
from whoosh import highlight
from whoosh.query import And, Or, Prefix, Term

from portal.search import documents, index
from portal.search.analyzer import cut, normalize

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


def build_query(words: list[str], require_all: bool = True):
    if not words:
        return None
    terms = [Term("body", w) for w in dict.fromkeys(words)]
    required = And(terms) if require_all else Or(terms)
    # An exact phrase is ranked above scattered words after scoring (see _run), cheaper than span queries.
    return required


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


def _facet_maps(searcher) -> tuple[dict[int, str], dict[int, list[str]]]:
    """Document number -> kind and -> counties, read once per searcher from the postings (cheap to count with)."""
    maps = getattr(searcher, "_portal_facet_maps", None)
    if maps is None:
        reader = searcher.reader()
        kind_of: dict[int, str] = {}
        counties_of: dict[int, list[str]] = {}
        for term in reader.lexicon("kind"):
            for docnum in reader.postings("kind", term).all_ids():
                kind_of[docnum] = term.decode() if isinstance(term, bytes) else term
        for term in reader.lexicon("county"):
            name = term.decode() if isinstance(term, bytes) else term
            for docnum in reader.postings("county", term).all_ids():
                counties_of.setdefault(docnum, []).append(name)
        maps = (kind_of, counties_of)
        searcher._portal_facet_maps = maps
    return maps


def _run(searcher, query, filter_q, page: int, per_page: int, phrase: str, words: list[str] | None = None):
    """(page of (score, hit), total, results, facet counts). Every match is counted without being scored; only
    the best are scored (Whoosh skips the rest), then re-ranked: the exact phrase in the title, then in the body."""
    matching = query if filter_q is None else And([query, filter_q])
    matched = list(searcher.docs_for_query(matching))
    if not matched:
        return [], 0, None, {"kind": {}, "county": {}}
    results = searcher.search(query, limit=page * per_page + RERANK_EXTRA, filter=filter_q, terms=True)
    words = words or []

    def ranked(hit) -> float:
        score = float(hit.score or 0.0)
        title = hit.get("title", "").lower()
        # Title matches above body matches: up to ×3 by the share of the words in the title.
        share = sum(1 for w in words if w in title) / len(words) if words else 0.0
        score *= 1.0 + 2.0 * share
        if phrase:
            if phrase in title:
                score *= 2.0
            elif phrase in hit.get("body", "").lower():
                score *= 1.5
        return score

    scored = sorted(((ranked(hit), hit) for hit in results), key=lambda pair: -pair[0])
    kind_of, counties_of = _facet_maps(searcher)
    kinds: dict[str, int] = {}
    counties: dict[str, int] = {}
    for docnum in matched:
        kind_name = kind_of.get(docnum)
        if kind_name:
            kinds[kind_name] = kinds.get(kind_name, 0) + 1
        for name in counties_of.get(docnum, ()):
            counties[name] = counties.get(name, 0) + 1
    start = (page - 1) * per_page
    return scored[start : start + per_page], len(matched), results, {"kind": kinds, "county": counties}


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
    words = cut(text)
    if not words:
        return result

    store = index.for_app(current_app)
    store.sync_if_stale()
    searcher = store.searcher()
    if searcher is None:
        result.notices.append(_("搜索暂时不可用，请稍后再试。"))
        return result

    filter_q = _filters(kind, county)
    phrase = "".join(text.split()).lower() if len(words) > 1 else ""
    query = build_query(words)
    hits, total, results, counts = _run(searcher, query, filter_q, page, per_page, phrase, words)
    if total == 0 and len(words) > 1:
        query = build_query(words, require_all=False)
        hits, total, results, counts = _run(searcher, query, filter_q, page, per_page, phrase, words)
        result.partial = total > 0
    if total == 0:
        # Single characters and word beginnings: 贷 finds 贷款.
        query = Or([Prefix(f, w) for w in words for f in ("title", "body")])
        hits, total, results, counts = _run(searcher, query, filter_q, page, per_page, phrase, words)
        result.partial = total > 0
    if page > 1 and not hits and total:
        result.notices.append(_("没有第 %(page)s 页，已显示第 1 页。", page=page))
        hits, total, results, counts = _run(searcher, query, filter_q, 1, per_page, phrase, words)
        result.page = 1
    if results is None:
        if result.total == 0:
            result.suggestions = _suggest(searcher, words)
        return result

    results.fragmenter = highlight.PinpointFragmenter(maxchars=100, surround=30, autotrim=True)
    results.formatter = highlight.HtmlFormatter(tagname="mark", between="…")
    result.total = total
    for score, hit in hits:
        # Body parts (eligibility, benefits, steps…) are separate lines; in a snippet they read as one sentence.
        snippet = (hit.highlights("body", top=2) or hit.highlights("title") or "").replace("\n", "；")
        if not snippet:
            body = hit.get("body", "")
            snippet = _escape(body[:120] + ("…" if len(body) > 120 else ""))
        spec = documents.KINDS[hit["kind"]]
        result.hits.append(
            Hit(
                id=hit["id"],
                kind=hit["kind"],
                kind_label=str(documents.KIND_LABELS[hit["kind"]]),
                title=hit["title"],
                url=url_for(spec.endpoint, slug=hit["slug"]),
                snippet=snippet,
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
    if result.total == 0:
        result.suggestions = _suggest(searcher, words)
    return result


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
