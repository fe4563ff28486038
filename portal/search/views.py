"""The search page and its JSON twin."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.catalog.services import find_county
from portal.core.listing import parse_int
from portal.errors import NotFound
from portal.extensions import db
from portal.search import answers, services
from portal.search.models import SearchAnswer, SearchTerm

bp = Blueprint("search", __name__)


def _params():
    """Read q, type, county and page leniently: a bad value is dropped with a notice, never an error."""
    notices = []
    county = (request.args.get("county") or "").strip()[:40] or None
    if county:
        found = find_county(county)
        if found is None and county != "全市":
            notices.append(_("没有找到“%(value)s”这个县区，已在全市范围搜索。", value=county))
            county = None
        elif found is not None:
            county = found.name
    page, ok = parse_int(request.args.get("page"), 1, 1, 1000)
    if not ok:
        notices.append(_("页码无效，已显示第 1 页。"))
    return request.args.get("q", ""), (request.args.get("type") or "").strip() or None, county, page, notices


@bp.get("/search")
def search_page():
    q, kind, county, page, notices = _params()
    tracking_no = answers.tracking_number(q[: services.MAX_QUERY_CHARS])
    if tracking_no:
        # A tracking number typed in the box: straight to the progress lookup, the number filled in.
        return redirect(url_for("applications.progress_lookup", no=tracking_no))
    results = services.search(q, kind=kind, county=county, page=page)
    results.notices[:0] = notices
    return render_template(
        "search/results.html",
        results=results,
        search_query=results.query,
        kind=kind if kind in services.documents.KINDS else None,
        county=county,
        popular=services.popular_terms() if results.query and not results.total else [],
        answers=answers.for_query(results.query, results.groups),
    )


@bp.get("/api/v1/search")
def search_api():
    q, kind, county, page, notices = _params()
    if request.args.get("county") and county is None:
        return jsonify(
            error={"status": 400, "code": "invalid_parameter", "field": "county", "message": notices[0]}
        ), 400
    if kind and kind not in services.documents.KINDS:
        message = _("type 应为 %(kinds)s 之一", kinds=", ".join(services.documents.KINDS))
        return jsonify(error={"status": 400, "code": "invalid_parameter", "field": "type", "message": message}), 400
    tracking_no = answers.tracking_number(q[: services.MAX_QUERY_CHARS])
    if tracking_no:
        return jsonify(
            query=tracking_no,
            total=0,
            page=1,
            per_page=services.PER_PAGE,
            items=[],
            facets={},
            suggestions=[],
            answers=[],
            progress_lookup=url_for("applications.progress_lookup", no=tracking_no, _external=True),
        )
    results = services.search(q, kind=kind, county=county, page=page)
    return jsonify(
        query=results.query,
        notices=results.notices,
        answers=[
            {
                "title": a.title,
                "text": a.text,
                "who": a.who,
                "figure": a.figure,
                "source": {"title": a.source_title, "doc_number": a.source_number} if a.source_title else None,
                "actions": [{"label": x.label, "url": x.url} for x in a.actions],
            }
            for a in answers.for_query(results.query, results.groups)
        ],
        total=results.total,
        page=results.page,
        per_page=results.per_page,
        items=[
            {
                "id": h.id,
                "type": h.kind,
                "title": h.title,
                "url": h.url,
                "snippet": h.snippet,
                "score": h.score,
                "county": h.county,
                "sample": h.sample,
            }
            for h in results.hits
        ],
        facets={
            name: [{"value": v, "label": label, "count": n} for v, label, n in items]
            for name, items in results.facets.items()
        },
        suggestions=results.suggestions,
    )


def _entry(model, slug: str):
    obj = db.session.scalar(sa.select(model).where(model.slug == slug, model.visible.is_(True)))
    if obj is None:
        raise NotFound()
    return obj


@bp.get("/search/answers/<slug>")
def answer_entry(slug: str):
    """The public face of a best bet: the search for its first trigger word, where the card shows."""
    answer = _entry(SearchAnswer, slug)
    return redirect(url_for("search.search_page", q=(answer.triggers or [answer.name])[0]))


@bp.get("/search/terms/<slug>")
def term_entry(slug: str):
    """The public face of a synonym group: the search for one of its everyday words."""
    term = _entry(SearchTerm, slug)
    return redirect(url_for("search.search_page", q=(term.words or [term.name])[0]))
