"""/admin/calendar (a year's holiday schedule) and /admin/routing (the rules, "try it", changes): administrators
only; anyone else signed in gets 404."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.catalog import vocab
from portal.catalog.services import all_counties, find_county
from portal.core.access import require
from portal.core.actions import perform
from portal.core.guard import ascii_int
from portal.core.i18n import local_name
from portal.errors import NotFound
from portal.queues import queries as queue_queries
from portal.routing import services as routing
from portal.routing.rules import Facts
from portal.rules import operations, queries, routing_text
from portal.rules.forms import HolidayForm, RejectForm, RoutingChangeForm, TryForm

bp = Blueprint("rules", __name__, url_prefix="/admin")


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    require(current_user, "rules.admin")
    years = queries.calendar_years()
    form = HolidayForm()
    form.year.choices = [(row.year, str(row.year)) for row in years]
    if request.method == "GET":
        _prefill(form, ascii_int(request.args.get("year"), 2000, 2100), years)
    if form.validate_on_submit() and _notice_date_fits(form):
        done = perform(
            lambda: operations.save_schedule(
                current_user,
                form.year.data,
                form.off.data,
                form.workdays.data or "",
                form.notice.data.strip(),
                form.notice_date.data,
                _version_of(form),
            ),
            lambda result: _(
                "已保存%(year)s年的节假日安排；%(n)s 份在办申请的办理期限已按新安排调整。",
                year=result[0].year,
                n=result[1],
            ),
            form=form,
        )
        if done:
            return redirect(url_for("rules.calendar"))
    return render_template("rules/calendar.html", form=form, years=years, uncovered=queue_queries.calendar_warning())


def _prefill(form: HolidayForm, year: int | None, years) -> None:
    row = next((r for r in years if r.year == year), None) or next((r for r in years if r.source is None), None)
    if row is None:
        return
    form.year.data = row.year
    if row.entry is not None:
        form.off.data = "\n".join(row.entry.off)
        form.workdays.data = "\n".join(row.entry.workdays)
        form.notice.data = row.entry.notice
        form.notice_date.data = row.entry.notice_date
        form.version.data = f"{row.year}:{row.entry.version}"


def _version_of(form: HolidayForm) -> int | None:
    """The version of the year's schedule the form was filled from ("year:version"), if it is that year's."""
    year, _sep, version = (form.version.data or "").partition(":")
    return ascii_int(version) if ascii_int(year) == form.year.data else None


def _notice_date_fits(form: HolidayForm) -> bool:
    """The notice comes out in the year before (or early in the year itself), and not in the future."""
    day, year = form.notice_date.data, form.year.data
    if day > queue_queries.today():
        form.notice_date.errors = [_("通知日期不能晚于今天。")]
    elif day.year not in (year - 1, year):
        form.notice_date.errors = [_("%(year)s年的安排应在%(before)s年或%(year)s年发布。", year=year, before=year - 1)]
    return not form.notice_date.errors


# ----------------------------------------------------------------------------------------------------- routing


def _choices(table: dict, empty: str) -> list[tuple[str, str]]:
    return [("", empty)] + [(code, str(label)) for code, label in table.items()]


def _try_form() -> TryForm:
    form = TryForm(formdata=request.args if request.args.get("type") else None)
    form.type.choices = [(code, str(label)) for code, label in vocab.APPLICATION_TYPES.items()]
    form.county.choices = [("", _("不限（市级单位）"))] + [(c.code, local_name(c)) for c in all_counties()]
    form.course.choices = _choices(vocab.COURSE_TYPES, _("未选"))
    form.topic.choices = _choices(vocab.EXPERTISE, _("未选"))
    form.collateral.choices = _choices(vocab.COLLATERAL, _("未选"))
    form.applicant_type.choices = _choices(vocab.APPLICANT_TYPES, _("未选"))
    return form


def facts_from(form: TryForm) -> Facts:
    county = find_county(form.county.data) if form.county.data else None
    return Facts(
        type=form.type.data,
        county_code=county.code if county else None,
        course=form.course.data or None,
        topic=form.topic.data or None,
        collateral=form.collateral.data or None,
        applicant_type=form.applicant_type.data or None,
        amount_wan=form.amount.data,
    )


@bp.get("/routing")
@login_required
def routing_rules():
    require(current_user, "rules.admin")
    form = _try_form()
    decision = units = None
    if request.args.get("type") and form.validate():
        decision = routing.decision_for(facts_from(form))  # the very call the submit path makes
        units = routing.units_by_code([decision.lead, *decision.co_review])
    return render_template(
        "rules/routing.html",
        rules=queries.rules_table(),
        deadlines=routing_text.in_force().get("deadlines", {}),
        form=form,
        decision=decision,
        units=units or {},
        drafts=queries.drafts(),
        history=queries.history(),
    )


@bp.route("/routing/propose", methods=["GET", "POST"])
@login_required
def propose():
    require(current_user, "rules.admin")
    form = RoutingChangeForm()
    if request.method == "GET":
        form.text.data = routing_text.current_text()
    if form.validate_on_submit():
        done = perform(
            lambda: operations.propose_routing(current_user, form.text.data, form.note.data.strip()),
            _("已保存为草稿，须由另一位管理员审核发布后才生效。"),
            form=form,
        )
        if done:
            return redirect(url_for("rules.routing_rules"))
    return render_template("rules/propose.html", form=form)


def _change(change_id: int):
    require(current_user, "rules.admin")
    change = queries.change(change_id)
    if change is None:
        raise NotFound()
    return change


@bp.get("/routing/changes/<int:change_id>")
@login_required
def change(change_id: int):
    item = _change(change_id)
    return render_template(
        "rules/change.html",
        change=item,
        diff=routing_text.diff_table(item.base_text, item.text),
        reject_form=RejectForm(),
    )


@bp.post("/routing/changes/<int:change_id>/publish")
@login_required
def publish(change_id: int):
    item = require(current_user, "routing_change.review", _change(change_id))
    perform(lambda: operations.publish_routing(current_user, item), _("已发布：此后提交的申请按新规则分送。"))
    return redirect(url_for("rules.change", change_id=change_id))


@bp.post("/routing/changes/<int:change_id>/reject")
@login_required
def reject(change_id: int):
    item = require(current_user, "routing_change.review", _change(change_id))
    form = RejectForm()
    if form.validate_on_submit():
        perform(lambda: operations.reject_routing(current_user, item, form.reason.data), _("已退回。"))
        return redirect(url_for("rules.change", change_id=change_id))
    diff = routing_text.diff_table(item.base_text, item.text)
    return render_template("rules/change.html", change=item, diff=diff, reject_form=form), 400


@bp.post("/routing/changes/<int:change_id>/withdraw")
@login_required
def withdraw(change_id: int):
    item = require(current_user, "routing_change.withdraw", _change(change_id))
    perform(lambda: operations.withdraw_routing(current_user, item), _("已撤回这份草稿。"))
    return redirect(url_for("rules.change", change_id=change_id))
