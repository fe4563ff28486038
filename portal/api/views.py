"""The open-data API: the same lists and filters as the pages, as JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from portal.catalog import services as catalog
from portal.core.guard import ascii_int
from portal.core.listing import Listing, parse_filters, parse_int, run
from portal.errors import NotFound
from portal.policies import services as policies

bp = Blueprint("api", __name__, url_prefix="/api/v1")

KINDS = ("counties", "units", "bases", "parks", "projects", "policies", "mentors")


def listing_or_none(kind: str | None) -> Listing | None:
    if kind == "policies":
        return policies.LISTING
    return catalog.LISTINGS.get(kind or "")


def _listing(kind: str) -> Listing:
    if kind == "policies":
        return policies.LISTING
    if kind in catalog.LISTINGS:
        return catalog.LISTINGS[kind]
    raise NotFound(_("没有这类数据：%(kind)s", kind=kind))


def _serialize(kind: str, obj) -> dict:
    if kind == "policies":
        return policies.to_dict(obj, url_for)
    return catalog.to_dict(kind, obj, url_for)


def _bad_request(field: str, value: str, message: str):
    return jsonify(
        error={"status": 400, "code": "invalid_parameter", "field": field, "value": value, "message": message}
    ), 400


@bp.after_request
def open_to_all(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get(f"/<any({','.join(KINDS)}):kind>")
def list_items(kind: str):
    listing = _listing(kind)
    for name, value in request.args.items(multi=True):
        # An empty filter means "all" on a page's form; in the API a parameter given is a value to check.
        if not value.strip() and (name in ("page", "per_page") or listing.filter(name) is not None):
            return _bad_request(name, value, _("参数 %(name)s 不能为空", name=name))
    active, bad = parse_filters(listing, request.args)
    if bad:
        item = bad[0]
        return _bad_request(
            item.name, item.value, _("参数 %(name)s 的值“%(value)s”无效", name=item.name, value=item.value[:100])
        )
    max_per_page = current_app.config["API_MAX_PER_PAGE"]
    page, ok = parse_int(request.args.get("page"), 1, 1, 100000)
    if not ok:
        return _bad_request("page", request.args.get("page", ""), _("page 应为正整数"))
    per_page, ok = parse_int(request.args.get("per_page"), 20, 1, max_per_page)
    if not ok:
        return _bad_request(
            "per_page", request.args.get("per_page", ""), _("per_page 应为 1 到 %(max)s 之间的整数", max=max_per_page)
        )
    result = run(listing, active, page, per_page)
    return jsonify(
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        items=[_serialize(kind, obj) for obj in result.items],
    )


@bp.get(f"/<any({','.join(KINDS)}):kind>/<key>")
def show_item(kind: str, key: str):
    _listing(kind)
    obj = policies.get(key) if kind == "policies" else catalog.get_item(kind, key)
    return jsonify(_serialize(kind, obj))


@bp.get("/stats")
def stats():
    """Public statistics of one year (this year by default): counts below 5 are "<5" in every cut."""
    from portal.dashboard import public
    from portal.queues.queries import today

    for name in request.args:
        if name != "year":
            return _bad_request(name, request.args[name][:40], _("不认识的参数 %(name)s", name=name[:40]))
    raw = request.args.get("year")
    year = today().year
    if raw is not None:
        year = ascii_int(raw, 2000, 2100)
        if year is None:
            return _bad_request("year", raw[:40], _("年份应为 2000 到 2100 之间的四位数字"))
    return jsonify(public.as_json(public.statistics(year)))


@bp.get("/openapi.json")
def openapi():
    from portal.api.openapi import document

    return jsonify(document())
