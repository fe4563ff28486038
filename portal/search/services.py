"""Searching the catalog: query building, ranking, facets, snippets and suggestions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask import current_app, url_for
from flask_babel import gettext as _
from whoosh import highlight, sorting
from whoosh.query import And, AndMaybe, Or, Phrase, Prefix, Term

from portal.search import documents, index
from portal.search.analyzer import cut, normalize

MAX_QUERY_CHARS = 100
FIELDS = ("title", "tags", "meta", "body")
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


def _any_field(word: str):
    return Or([Term(f, word) for f in FIELDS])


def build_query(words: list[str], require_all: bool = True):
    if not words:
        return None
    required = And([_any_field(w) for w in words]) if require_all else Or([_any_field(w) for w in words])
    if len(words) == 1:
        return required
    # An exact phrase ranks above the same words scattered, and in the title above the body.
    phrases = Or([Phrase("title", words, boost=6.0), Phrase("body", words, boost=3.0)])
    return AndMaybe(required, phrases)


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
            for candidate in searcher.corrector(fieldname).suggest(word, limit=3, maxdist=1):
                if candidate != word and candidate not in suggestions:
                    suggestions.append(candidate)
    return suggestions[:5]


def popular_terms() -> list[str]:
    """Offered when a search finds nothing and no close word exists."""
    return [_("创业担保贷款"), _("创业培训"), _("孵化基地"), _("创业导师"), _("示范园区")]


def _facets(results_obj, key: str) -> dict[str, int]:
    try:
        groups = results_obj.groups(key)
    except KeyError:
        return {}
    counts: dict[str, int] = {}
    for name, value in groups.items():
        if name is None:
            continue
        counts[name] = value if isinstance(value, int) else len(value)
    return counts


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
    facets = sorting.Facets()
    facets.add_field("kind")
    facets.add_field("county", allow_overlap=True)
    query = build_query(words)
    hits = searcher.search_page(
        query, page, pagelen=per_page, filter=filter_q, groupedby=facets, maptype=sorting.Count, terms=True
    )
    if hits.total == 0 and len(words) > 1:
        query = build_query(words, require_all=False)
        hits = searcher.search_page(
            query, page, pagelen=per_page, filter=filter_q, groupedby=facets, maptype=sorting.Count, terms=True
        )
        result.partial = hits.total > 0
    if hits.total == 0:
        # Single characters and word beginnings: 贷 finds 贷款.
        prefix = Or([Prefix(f, w) for w in words for f in ("title", "tags", "body")])
        hits = searcher.search_page(
            prefix, page, pagelen=per_page, filter=filter_q, groupedby=facets, maptype=sorting.Count, terms=True
        )
        result.partial = hits.total > 0
    if page > 1 and page > hits.pagecount and hits.total:
        result.notices.append(_("没有第 %(page)s 页，已显示第 1 页。", page=page))
        hits = searcher.search_page(
            query, 1, pagelen=per_page, filter=filter_q, groupedby=facets, maptype=sorting.Count, terms=True
        )
        result.page = 1

    hits.results.fragmenter = highlight.PinpointFragmenter(maxchars=100, surround=30, autotrim=True)
    hits.results.formatter = highlight.HtmlFormatter(tagname="mark", between="…")
    result.total = hits.total
    for hit in hits:
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
                score=round(float(hit.score or 0.0), 4),
                county=[c for c in (hit.get("county") or "").split(",") if c],
                subtitle=hit.get("subtitle", ""),
                sample=bool(hit.get("sample")),
            )
        )
    kind_counts = _facets(hits.results, "kind")
    result.facets["kind"] = [
        (code, str(documents.KIND_LABELS[code]), n) for code, n in sorted(kind_counts.items(), key=lambda x: -x[1])
    ]
    county_counts = _facets(hits.results, "county")
    result.facets["county"] = [
        (name, name, n) for name, n in sorted(county_counts.items(), key=lambda x: (-x[1], x[0])) if name
    ]
    if result.total == 0:
        result.suggestions = _suggest(searcher, words)
    return result


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
