"""Applicant pages: the three forms, my applications, the receipt, withdrawal, material and attachments."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.applications import operations, queries, states, uploads
from portal.applications import rules as loan_rules
from portal.applications.vocab import ATTACHMENT_KINDS
from portal.catalog import vocab as catalog_vocab
from portal.core import panels
from portal.core.access import can
from portal.core.actions import perform
from portal.errors import InvalidInput, PortalError
from portal.extensions import db, limiter
from portal.policies import services as policies

bp = Blueprint("applications", __name__)

TITLES = {
    "training": catalog_vocab.APPLICATION_TYPES["training"],
    "mentoring": catalog_vocab.APPLICATION_TYPES["mentoring"],
    "loan": catalog_vocab.APPLICATION_TYPES["loan"],
}


def _applicant_only():
    if not can(current_user, "application.apply"):
        abort(403)


def _apply_key() -> str:
    return f"apply:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}"


def _removed_id() -> int | None:
    """The attachment a "删除" button of the form names (it is a submit button of the whole form)."""
    value = request.form.get("remove", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _post_apply(app_type: str):
    """Save (and maybe submit) the form; answer a redirect, or the form again with its errors and a status."""
    form = queries.build_form(app_type, current_user, formdata=request.form)
    remove = _removed_id()
    submit = request.form.get("action") == "submit" and remove is None
    try:
        outcome = operations.save(current_user, app_type, form, request.files, submit=submit, remove=remove)
    except InvalidInput as exc:  # a quota: nothing was written, the typed answers are shown again
        db.session.rollback()
        flash(exc.message, "error")
        return form, None, 400
    application = outcome.application
    if outcome.already or outcome.submitted:
        if outcome.submitted:
            flash(_("申请已提交，编号 %(no)s。请保存好回执。", no=application.tracking_no), "success")
        if outcome.notice:
            flash(outcome.notice, "error")
        return redirect(url_for("applications.receipt", tracking_no=application.tracking_no)), None, None
    for name, messages in outcome.errors.items():
        if name in form:
            form[name].errors = list(dict.fromkeys([*(form[name].errors or []), *messages]))
    if outcome.errors:
        return form, application, 400
    if remove is not None:
        flash(_("已删除这份材料，填写的内容已保存为草稿。"), "success")
    else:
        flash(_("草稿已保存。下次打开这个页面可以接着填。"), "success")
    return redirect(url_for("applications.apply", app_type=app_type)), None, None


@bp.route("/apply/<app_type>", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["APPLY_RATE_LIMIT"], key_func=_apply_key, methods=["POST"])
def apply(app_type: str):
    if app_type not in TITLES:
        abort(404)
    _applicant_only()
    status = 200
    if request.method == "GET":
        draft = None if request.args.get("new") else queries.latest_draft(current_user, app_type)
        form = queries.build_form(app_type, current_user, draft)
        application = draft
    else:
        form, application, status = _post_apply(app_type)
        if status is None:
            return form  # a redirect
    rules = loan_rules.loan_rules() if app_type == "loan" else None
    return render_template(
        f"applications/form_{app_type}.html",
        form=form,
        app_type=app_type,
        title=TITLES[app_type],
        application=application,
        guides=policies.for_application_type(app_type),
        rules=rules,
        kinds=ATTACHMENT_KINDS,
    ), status


@bp.get("/my/applications")
@login_required
def mine():
    _applicant_only()
    return render_template("applications/mine.html", applications=queries.list_for_applicant(current_user))


def _detail_page(application, comment: str = ""):
    return render_template(
        "applications/detail.html",
        application=application,
        can_withdraw=application.state in states.OPEN_STATES,
        needs_material=application.state == states.NEEDS_MATERIAL,
        kinds=ATTACHMENT_KINDS,
        panels=panels.render("application.applicant", application, current_user),
        comment=comment,
    )


@bp.get("/my/applications/<tracking_no>")
@login_required
def detail(tracking_no: str):
    return _detail_page(queries.for_applicant(current_user, tracking_no))


@bp.get("/my/applications/<tracking_no>/receipt")
@login_required
def receipt(tracking_no: str):
    application = queries.for_applicant(current_user, tracking_no)
    form = queries.build_form(application.type, current_user, application)
    return render_template(
        "applications/receipt.html", application=application, rows=queries.answer_rows(form), kinds=ATTACHMENT_KINDS
    )


@bp.post("/my/applications/<tracking_no>/withdraw")
@login_required
def withdraw(tracking_no: str):
    perform(lambda: operations.withdraw(current_user, tracking_no, request.form.get("reason", "")), _("申请已撤回。"))
    return redirect(url_for("applications.detail", tracking_no=tracking_no))


@bp.post("/my/applications/<tracking_no>/supplement")
@login_required
def supplement(tracking_no: str):
    try:
        operations.supply_material(
            current_user, tracking_no, request.form.get("comment", ""), request.files.getlist("files")
        )
    except InvalidInput as exc:
        db.session.rollback()
        flash(exc.message, "error")
        application = queries.for_applicant(current_user, tracking_no)
        return _detail_page(application, comment=request.form.get("comment", "")), 400
    except PortalError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("补正材料已提交，等待工作人员审核。"), "success")
    return redirect(url_for("applications.detail", tracking_no=tracking_no))


@bp.get("/my/applications/<tracking_no>/files/<int:attachment_id>")
@login_required
def attachment(tracking_no: str, attachment_id: int):
    return uploads.send(queries.attachment_for_applicant(current_user, tracking_no, attachment_id))
