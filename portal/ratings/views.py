"""好差评 pages: the rating form's answer, the unit's ratings and follow-ups, the office's tables."""

from __future__ import annotations

import re

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.access import can, require
from portal.core.actions import perform
from portal.ratings import operations, queries
from portal.ratings.states import FOLLOW_UP
from portal.ratings.vocab import LEVELS, REASONS

bp = Blueprint("ratings", __name__)
MONTH = re.compile(r"^\d{4}-\d{2}$")


@bp.post("/my/applications/<tracking_no>/rating")
@login_required
def rate(tracking_no: str):
    perform(
        lambda: operations.rate(
            current_user,
            tracking_no,
            request.form.get("level"),
            request.form.getlist("reasons"),
            request.form.get("comment"),
            change=request.form.get("change") == "1",
        ),
        _("感谢您的评价。"),
    )
    return redirect(url_for("applications.detail", tracking_no=tracking_no) + "#rating")


@bp.post("/my/ratings/follow-ups/<int:follow_up_id>/feedback")
@login_required
def feedback(follow_up_id: int):
    follow_up = operations.follow_up_for(current_user, follow_up_id)
    tracking_no = follow_up.rating.application.tracking_no
    perform(
        lambda: operations.feedback(current_user, follow_up_id, request.form.get("resolved")),
        _("谢谢，您的意见已记录。"),
    )
    return redirect(url_for("applications.detail", tracking_no=tracking_no) + "#rating")


@bp.get("/staff/ratings")
@login_required
def unit():
    require(current_user, "ratings.unit")
    unit_id = current_user.unit_id
    return render_template(
        "ratings/unit.html",
        summary=queries.unit_summary(unit_id),
        ratings=queries.for_unit(unit_id),
        follow_ups=queries.open_follow_ups(unit_id),
        levels=LEVELS,
        reasons=REASONS,
        follow_up_label=FOLLOW_UP.label,
    )


@bp.route("/staff/ratings/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@login_required
def follow_up(follow_up_id: int):
    if not (can(current_user, "ratings.unit") or can(current_user, "ratings.office")):
        abort(404)  # the rater reads the answer on their application's page
    item = operations.follow_up_for(current_user, follow_up_id)
    if request.method == "POST":
        if perform(
            lambda: operations.answer(current_user, follow_up_id, request.form.get("answer", "")),
            _("整改答复已发送给评价人。"),
        ):
            return redirect(url_for("ratings.follow_up", follow_up_id=follow_up_id))
        item = operations.follow_up_for(current_user, follow_up_id)
    return render_template(
        "ratings/follow_up.html",
        item=item,
        levels=LEVELS,
        reasons=REASONS,
        follow_up_label=FOLLOW_UP.label,
        may_answer=can(current_user, "follow_up.answer", item),
    )


@bp.get("/office/ratings")
@login_required
def office():
    require(current_user, "ratings.office")
    by = request.args.get("by", "unit")
    by = by if by in ("unit", "county", "month") else "unit"
    month = request.args.get("month", "")
    month = month if MONTH.match(month) else None
    return render_template(
        "ratings/office.html",
        rows=queries.office_table(by, month),
        by=by,
        month=month,
        months=queries.months(),
        levels=LEVELS,
    )
