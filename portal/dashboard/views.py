"""The leading group's dashboard (/office/), its targets and off-line figures, its XLSX export, and the public
statistics (/stats/)."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.catalog.services import find_county
from portal.core.access import can, require
from portal.core.actions import perform
from portal.core.guard import ascii_int
from portal.core.i18n import local_name, month_label
from portal.core.spreadsheet import XLSX_MIMETYPE
from portal.dashboard import exports, operations, public, queries
from portal.dashboard import targets as goals_of
from portal.dashboard.access import county_of
from portal.dashboard.forms import OfflineForm, TargetForm
from portal.dashboard.indicators import BY_KEY, INDICATORS
from portal.errors import NotFound
from portal.queues.queries import today

bp = Blueprint("dashboard", __name__)


def _year() -> int:
    year = ascii_int(request.args.get("year"), 2000, 2100)
    return year or today().year


def _scope():
    """The county the page is about: asked for by the office, or the county lead's own; None = whole city."""
    require(current_user, "dashboard.view")
    own = county_of(current_user)
    raw = request.args.get("county", "")
    county = find_county(raw) if raw else None
    if raw and county is None:
        raise NotFound()
    if county is None and own is not None and not can(current_user, "dashboard.county", None):
        county = next(c for c in queries.counties() if c.id == own)
    require(current_user, "dashboard.county", county)
    return county


@bp.get("/office/")
@login_required
def office():
    county, year = _scope(), _year()
    board = queries.board(year, county)
    return render_template(
        "dashboard/office.html",
        board=board,
        charts=public.board_charts(board),
        years=range(today().year, 2020, -1),
        all_counties=queries.counties() if can(current_user, "dashboard.county", None) else [],
    )


@bp.get("/office/export.xlsx")
@login_required
def export():
    county, year = _scope(), _year()
    body = exports.board_xlsx(queries.board(year, county))
    name = f"dashboard-{year}{'-' + county.code if county else ''}.xlsx"
    return Response(body, mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f"attachment; filename={name}"})


def _indicator_choices():
    return [(i.key, f"{i.label}（{i.unit}）") for i in INDICATORS]


@bp.route("/office/targets", methods=["GET", "POST"])
@login_required
def targets():
    require(current_user, "targets.set")
    year = today().year
    form = TargetForm()
    counties = queries.counties()
    form.indicator.choices = _indicator_choices()
    form.county.choices = [("", _("全市")), *[(c.code, local_name(c)) for c in counties]]
    if form.validate_on_submit():
        county = find_county(form.county.data) if form.county.data else None
        done = perform(
            lambda: operations.set_target(
                current_user, year, form.indicator.data, county, form.value.data, form.source.data.strip()
            ),
            _("目标已保存，看板即时按新目标计算。"),
            form=form,
        )
        if done:
            return redirect(url_for("dashboard.targets"))
    return render_template(
        "dashboard/targets.html",
        form=form,
        year=year,
        goals=goals_of.goals(year),
        portal_targets=queries.portal_targets(year),
        indicators=BY_KEY,
        counties={c.code: c for c in counties},
    ), 400 if request.method == "POST" else 200


@bp.post("/office/targets/<int:target_id>/clear")
@login_required
def clear_target(target_id: int):
    require(current_user, "targets.set")
    perform(lambda: operations.clear_target(current_user, target_id), _("已撤销在平台设定的这项目标。"))
    return redirect(url_for("dashboard.targets"))


@bp.route("/office/offline", methods=["GET", "POST"])
@login_required
def offline():
    own = county_of(current_user)
    if not (can(current_user, "targets.set") or own is not None):
        raise NotFound()
    year = today().year
    counties = [c for c in queries.counties() if can(current_user, "offline.enter", c)]
    form = OfflineForm()
    form.indicator.choices = _indicator_choices()
    form.county.choices = [(c.code, local_name(c)) for c in counties]
    form.month.choices = [(str(m), month_label(m)) for m in range(today().month, 0, -1)]
    if form.validate_on_submit():
        county = find_county(form.county.data)
        done = perform(
            lambda: operations.enter_offline(
                current_user,
                year,
                int(form.month.data),
                county,
                form.indicator.data,
                form.value.data,
                form.note.data.strip(),
            ),
            _("已保存。线下报送的数字在看板上单独列出。"),
            form=form,
        )
        if done:
            return redirect(url_for("dashboard.offline"))
    return render_template(
        "dashboard/offline.html",
        form=form,
        year=year,
        figures=queries.offline_figures(year, None if can(current_user, "targets.set") else own),
        indicators=BY_KEY,
    )


@bp.get("/stats/")
def stats():
    year = _year()
    figures = public.statistics(year)
    return render_template("dashboard/stats.html", stats=figures, charts=public.stats_charts(figures))
