"""Pages of the project showcase (项目展示): the public list and project pages, the entrepreneur's own projects,
and the units' review, shortlists, recommendations to the fund and their export."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import audit
from portal.accounts.grants import may_see_full_data
from portal.core.access import can, require
from portal.core.actions import perform
from portal.core.crypto import mask_phone
from portal.core.forms import PortalForm
from portal.core.guard import ascii_int
from portal.core.pages import list_page
from portal.core.spreadsheet import XLSX_MIMETYPE
from portal.ventures import exports, operations, queries
from portal.ventures.exports import mask_name
from portal.ventures.forms import (
    AddForm,
    LinkForm,
    OutcomeForm,
    ReasonForm,
    RecommendForm,
    ShortlistForm,
    VentureForm,
    choices,
)

bp = Blueprint("ventures", __name__)


# ---------------------------------------------------------------- public pages


@bp.get("/ventures/")
def index():
    return list_page(queries.LISTING, "ventures/list.html")


@bp.get("/ventures/<int:venture_id>")
def detail(venture_id: int):
    venture = queries.viewable(current_user, venture_id)
    return render_template(
        "ventures/detail.html",
        venture=venture,
        public_phone=mask_phone(venture.contact_phone) if venture.contact_pref == "phone" else None,
        own=can(current_user, "venture.own", venture),
    )


# ---------------------------------------------------------------- the entrepreneur's own projects


@bp.get("/my/ventures")
@login_required
def mine():
    return render_template("ventures/mine.html", ventures=queries.mine(current_user))


def _form(data=None, venture=None) -> VentureForm:
    form = VentureForm(data, counties=queries.all_counties())
    if data is None:
        if venture is not None:
            form.process(
                data={
                    "name": venture.name,
                    "makes": venture.makes,
                    "county": venture.county.code,
                    "industry": venture.industry,
                    "stage": venture.stage,
                    "jobs_created": str(venture.jobs_created),
                    "jobs_planned": str(venture.jobs_planned),
                    "seeks": venture.seeks,
                    "investment_wan": f"{venture.investment_wan.normalize():f}" if venture.investment_wan else "",
                    "contact_pref": venture.contact_pref,
                    "contact_name": venture.contact_name,
                    "contact_phone": venture.contact_phone,
                }
            )
        else:
            form.process(data={"contact_name": current_user.name, "contact_phone": current_user.phone,
                               "contact_pref": "portal", "jobs_created": "0", "jobs_planned": "0"})  # fmt: skip
    return form


def _save(form: VentureForm, call, venture=None):
    submit = request.form.get("action") == "submit"
    message = _("已提交，县区人社局审核通过后公开展示。") if submit else _("草稿已保存。")
    done = []
    if form.validate_on_submit() and perform(
        lambda: done.append(call(form.values(), form.seeks.data or [], submit)), message, form=form
    ):
        return redirect(url_for("ventures.detail", venture_id=done[0].id))
    return render_template("ventures/form.html", form=form, venture=venture), 400


@bp.route("/my/ventures/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "venture.present")
    if request.method == "POST":
        return _save(_form(request.form), lambda v, s, sub: operations.present(current_user, v, s, sub))
    return render_template("ventures/form.html", form=_form(), venture=None)


@bp.route("/my/ventures/<int:venture_id>/edit", methods=["GET", "POST"])
@login_required
def edit(venture_id: int):
    venture = queries.own(current_user, venture_id)
    if request.method == "POST":
        return _save(
            _form(request.form),
            lambda v, s, sub: operations.edit(current_user, venture_id, v, s, sub),
            venture=venture,
        )
    return render_template("ventures/form.html", form=_form(venture=venture), venture=venture)


@bp.post("/my/ventures/<int:venture_id>/submit")
@login_required
def submit(venture_id: int):
    queries.own(current_user, venture_id)
    if PortalForm(request.form).validate_on_submit():
        perform(lambda: operations.submit(current_user, venture_id), _("已提交，县区人社局审核通过后公开展示。"))
    return redirect(url_for("ventures.detail", venture_id=venture_id))


@bp.post("/my/ventures/<int:venture_id>/withdraw")
@login_required
def withdraw(venture_id: int):
    queries.own(current_user, venture_id)
    if PortalForm(request.form).validate_on_submit():
        perform(lambda: operations.withdraw(current_user, venture_id), _("项目已撤回，不再公开展示。"))
    return redirect(url_for("ventures.mine"))


# ---------------------------------------------------------------- the units: review, shortlists, recommendations


@bp.get("/staff/ventures")
@login_required
def staff_index():
    waiting, published = queries.review_list(current_user)
    return render_template("ventures/staff_index.html", waiting=waiting, published=published)


def _staff_page(venture_id: int, status: int = 200, **forms):
    venture = queries.for_staff(current_user, venture_id)
    full = may_see_full_data(current_user)
    if full:
        audit.record_read(current_user, "personal_data.view", "venture", venture.id)
    link = forms.get("link") or LinkForm(project=str(venture.catalog_project_id or ""))
    link.project.choices = choices(
        [(str(p.id), p.name) for p in queries.catalog_projects_in(venture.county_id)], blank=_("不是示范项目")
    )
    add = forms.get("add") or AddForm()
    own_lists = queries.shortlists(current_user) if current_user.role == "staff" else []
    add.shortlist.choices = choices([(str(s.id), s.name) for s in own_lists])
    return render_template(
        "ventures/staff_detail.html",
        venture=venture,
        contact_name=venture.contact_name if full else mask_name(venture.contact_name),
        contact_phone=venture.contact_phone if full else mask_phone(venture.contact_phone),
        reason=forms.get("reason") or ReasonForm(),
        link=link,
        add=add,
        recommend=forms.get("recommend") or RecommendForm(recommended_on=operations.today().isoformat()),
        outcome=forms.get("outcome") or OutcomeForm(),
        in_lists=queries.shortlists_of(current_user, venture),
        recommendations=queries.recommendations_of(venture),
    ), status


@bp.get("/staff/ventures/<int:venture_id>")
@login_required
def staff_detail(venture_id: int):
    return _staff_page(venture_id)


REVIEWED = {
    "approve": _l("已审核通过，项目现在公开展示。"),
    "return": _l("已退回，本人会收到原因。"),
    "unpublish": _l("已停止公开展示，本人会收到原因。"),
}


@bp.post("/staff/ventures/<int:venture_id>/review")
@login_required
def review(venture_id: int):
    require(current_user, "venture.review", queries.get(venture_id))
    form = ReasonForm(request.form)
    action = request.form.get("action", "")
    if form.validate_on_submit() and perform(
        lambda: operations.review(current_user, venture_id, action, form.reason.data or ""),
        str(REVIEWED.get(action, "")),
        form=form,
    ):
        return redirect(url_for("ventures.staff_detail", venture_id=venture_id))
    return _staff_page(venture_id, status=400, reason=form)


@bp.post("/staff/ventures/<int:venture_id>/link")
@login_required
def link(venture_id: int):
    require(current_user, "venture.review", queries.get(venture_id))
    form = LinkForm(request.form)
    raw = (form.project.data or "").strip()
    project_id = ascii_int(raw, 1) if raw else None
    if raw and project_id is None:
        form.project.errors = [_("请从本县区的示范项目里选择。")]
    elif form.validate_on_submit() and perform(
        lambda: operations.link_catalog_project(current_user, venture_id, project_id),
        _("已保存对应的示范项目。"),
        form=form,
    ):
        return redirect(url_for("ventures.staff_detail", venture_id=venture_id))
    return _staff_page(venture_id, status=400, link=form)


@bp.post("/staff/ventures/<int:venture_id>/shortlist")
@login_required
def add_to_shortlist(venture_id: int):
    require(current_user, "venture.staff")
    queries.for_staff(current_user, venture_id)
    form = AddForm(request.form)
    raw = (form.shortlist.data or "").strip()
    shortlist_id = ascii_int(raw, 1) if raw else None
    if form.validate_on_submit() and perform(
        lambda: operations.add_to_shortlist(current_user, venture_id, shortlist_id),
        lambda s: _("已加入“%(name)s”。", name=s.name),
        form=form,
    ):
        return redirect(url_for("ventures.staff_detail", venture_id=venture_id))
    return _staff_page(venture_id, status=400, add=form)


@bp.post("/staff/ventures/<int:venture_id>/recommend")
@login_required
def recommend(venture_id: int):
    queries.for_staff(current_user, venture_id)
    form = RecommendForm(request.form)
    values = {"fund": form.fund.data, "recommended_on": form.recommended_on.data, "note": form.note.data}
    if form.validate_on_submit() and perform(
        lambda: operations.recommend(current_user, venture_id, values),
        _("已记录推荐，基金答复后请在这里登记结果。"),
        form=form,
    ):
        return redirect(url_for("ventures.staff_detail", venture_id=venture_id))
    return _staff_page(venture_id, status=400, recommend=form)


@bp.post("/staff/ventures/recommendations/<int:recommendation_id>/outcome")
@login_required
def outcome(recommendation_id: int):
    row = queries.recommendation(current_user, recommendation_id)
    form = OutcomeForm(request.form)
    action = request.form.get("action", "")
    if form.validate_on_submit() and perform(
        lambda: operations.record_outcome(current_user, recommendation_id, action, form.outcome_note.data or ""),
        _("已登记基金的答复。"),
        form=form,
    ):
        return redirect(url_for("ventures.staff_detail", venture_id=row.venture_id))
    return _staff_page(row.venture_id, status=400, outcome=form)


@bp.route("/staff/ventures/shortlists", methods=["GET", "POST"])
@login_required
def shortlists():
    require(current_user, "venture.staff")
    form = ShortlistForm(request.form if request.method == "POST" else None)
    form.event.choices = [("", _("不关联活动（下面填写名称和日期）")), *queries.pitch_event_choices(current_user)]
    if request.method == "POST":
        require(current_user, "venture.shortlist")
        values = {name: form[name].data for name in ("name", "purpose", "event", "event_label", "event_on", "note")}
        done = []
        if form.validate_on_submit() and perform(
            lambda: done.append(operations.create_shortlist(current_user, values)), _("名单已建立。"), form=form
        ):
            return redirect(url_for("ventures.shortlist", shortlist_id=done[0].id))
        return render_template("ventures/shortlists.html", lists=queries.shortlists(current_user), form=form), 400
    return render_template("ventures/shortlists.html", lists=queries.shortlists(current_user), form=form)


@bp.get("/staff/ventures/shortlists/<int:shortlist_id>")
@login_required
def shortlist(shortlist_id: int):
    return render_template("ventures/shortlist.html", shortlist=queries.shortlist(current_user, shortlist_id))


@bp.post("/staff/ventures/shortlists/<int:shortlist_id>/remove/<int:venture_id>")
@login_required
def remove_from_shortlist(shortlist_id: int, venture_id: int):
    queries.shortlist(current_user, shortlist_id)
    if PortalForm(request.form).validate_on_submit():
        perform(lambda: operations.remove_from_shortlist(current_user, shortlist_id, venture_id), _("已移出名单。"))
    return redirect(url_for("ventures.shortlist", shortlist_id=shortlist_id))


@bp.get("/staff/ventures/recommendations")
@login_required
def recommendations():
    rows = queries.recommendations(current_user)
    return render_template("ventures/recommendations.html", rows=rows)


@bp.get("/staff/ventures/recommendations.xlsx")
@login_required
def export():
    require(current_user, "venture.staff")
    return Response(
        exports.xlsx(current_user),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": "attachment; filename=fund-recommendations.xlsx"},
    )
