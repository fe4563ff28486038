"""The one way a filtered list page is answered: parse, narrow, paginate, explain what was ignored."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_babel import gettext as _

from portal.core.listing import Listing, parse_filters, parse_int, run


def list_page(listing: Listing, template: str, **context):
    active, bad = parse_filters(listing, request.args)
    notices = [_("没有找到“%(value)s”这个筛选条件，已忽略它。", value=item.value[:40]) for item in bad]
    page_no, ok = parse_int(request.args.get("page"), 1, 1, 100000)
    if not ok:
        notices.append(_("页码无效，已显示第 1 页。"))
    per_page = current_app.config["PAGE_SIZE"]
    page = run(listing, active, page_no, per_page)
    if page.total and page_no > page.pages:
        notices.append(_("没有第 %(page)s 页，已显示第 1 页。", page=page_no))
        page = run(listing, active, 1, per_page)
    return render_template(
        template,
        page=page,
        listing=listing,
        active={name: raw for name, (raw, _value) in active.items()},
        notices=notices,
        **context,
    )
