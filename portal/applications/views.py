"""Applicant pages: the three forms, my applications, the receipt, withdrawal, material and attachments."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.applications import material, operations, progress, queries, replies, states, uploads
from portal.applications import rules as loan_rules
from portal.applications.vocab import ATTACHMENT_KINDS
from portal.catalog import vocab as catalog_vocab
from portal.core import panels, qr
from portal.core.access import can
from portal.core.actions import perform
from portal.core.crypto import mask_id_number
from portal.core.guard import ascii_int
from portal.errors import InvalidInput, PortalError
from portal.extensions import csrf, db, limiter
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
    form = queries.build_form(
        app_type, current_user, formdata=queries.with_remembered_id_number(current_user, request.form)
    )
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
        if request.args.get("draft"):  # one draft among several (我的申请 links each)
            draft = queries.own_draft(current_user, app_type, ascii_int(request.args.get("draft")))
            if draft is None:
                abort(404)
        else:
            draft = None if request.args.get("new") else queries.latest_draft(current_user, app_type)
        form = queries.build_form(app_type, current_user, draft)
        if app_type == "mentoring":
            form.preselect_mentor(request.args.get("mentor"))
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
        remembered_id=mask_id_number(queries.remembered_id_number(current_user)),
    ), status


@bp.get("/my/applications")
@login_required
def mine():
    _applicant_only()
    return render_template("applications/mine.html", applications=queries.list_for_applicant(current_user))


def _detail_page(application, comment: str = "", formdata=None, material_errors: dict | None = None):
    items = material.items_of(material.current_request(application))
    material_form = None
    if application.state == states.NEEDS_MATERIAL and any(i["kind"] == "answer" for i in items):
        fields = [i["field"] for i in items if i["kind"] == "answer"]
        typed = material.merged_formdata(application, fields, formdata) if formdata is not None else None
        material_form = queries.build_form(application.type, current_user, application, formdata=typed)
        for name, message in (material_errors or {}).items():
            if name in material_form:
                material_form[name].errors = [message]
    return render_template(
        "applications/detail.html",
        application=application,
        can_withdraw=application.state in states.OPEN_STATES,
        needs_material=application.state == states.NEEDS_MATERIAL,
        kinds=ATTACHMENT_KINDS,
        panels=panels.render("application.applicant", application, current_user),
        comment=comment,
        material_request=material.current_request(application),
        material_items=items,
        material_form=material_form,
        material_errors=material_errors or {},
        may_reply=replies.may_reply(application),
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
    lookup_url = url_for("applications.progress_lookup", _external=True)
    return render_template(
        "applications/receipt.html",
        application=application,
        rows=queries.answer_rows(form),
        kinds=ATTACHMENT_KINDS,
        lookup_url=lookup_url,
        progress_qr=qr.svg(f"{lookup_url}?no={application.tracking_no}", _("办件进度查询")),
    )


@bp.get("/my/applications/<tracking_no>/withdraw")
@login_required
def withdraw_confirm(tracking_no: str):
    """What withdrawing means, before it happens: the POST of this page's form withdraws."""
    application = queries.for_applicant(current_user, tracking_no)
    return render_template(
        "applications/withdraw.html", application=application, can_withdraw=application.state in states.OPEN_STATES
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
            current_user, tracking_no, request.form.get("comment", ""), request.files, request.form
        )
    except InvalidInput as exc:
        db.session.rollback()
        field_errors = getattr(exc, "errors", None)
        if not field_errors:
            flash(exc.message, "error")
        application = queries.for_applicant(current_user, tracking_no)
        page = _detail_page(application, request.form.get("comment", ""), request.form, field_errors)
        return page, 400
    except PortalError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("补正材料已提交，等待工作人员审核。"), "success")
    return redirect(url_for("applications.detail", tracking_no=tracking_no))


@bp.post("/my/applications/<tracking_no>/reply")
@login_required
def reply(tracking_no: str):
    """The applicant's reply (from the application's page or from the message it answers)."""
    perform(
        lambda: replies.reply(current_user, tracking_no, request.form.get("reply", "")),
        _("回复已送达办理单位，工作人员会在办理进度里看到。"),
    )
    message_id = request.form.get("message", "")
    if message_id.isascii() and message_id.isdigit() and len(message_id) < 12:
        return redirect(url_for("notify.message", message_id=int(message_id)))
    return redirect(url_for("applications.detail", tracking_no=tracking_no))


@bp.get("/my/applications/<tracking_no>/files/<int:attachment_id>")
@login_required
def attachment(tracking_no: str, attachment_id: int):
    return uploads.send(queries.attachment_for_applicant(current_user, tracking_no, attachment_id))


# ---------------------------------------------------------------- 办件进度查询, without logging in


def _json_object() -> dict:
    """The JSON body when it is an object; anything else (a list, a number, broken JSON) counts as empty."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _tracking_key() -> str:
    data = _json_object() if request.is_json else request.form
    return "progress:" + progress.normalise_tracking_no(str(data.get("tracking_no") or ""))[:24]


# Per address (a person trying numbers) and per tracking number (many addresses trying one number's digits).
PROGRESS_LIMITS = (
    limiter.limit("30/hour", methods=["POST"]),
    limiter.limit("10/hour", key_func=_tracking_key, methods=["POST"]),
)


def _limited(view):
    for limit in PROGRESS_LIMITS:
        view = limit(view)
    return view


@bp.route("/progress", methods=["GET", "POST"])
@_limited
def progress_lookup():
    tracking_no = progress.normalise_tracking_no(request.values.get("no") or request.form.get("tracking_no"))
    errors, result, not_found, status = {}, None, False, 200
    if request.method == "POST":
        try:
            result = progress.lookup(request.form.get("tracking_no", ""), request.form.get("verifier", ""))
        except InvalidInput as exc:
            errors, status = exc.details.get("errors", {}), 400
        not_found = result is None and not errors
    page = render_template(
        "applications/progress.html", tracking_no=tracking_no, errors=errors, result=result, not_found=not_found
    )
    return page, status


@bp.post("/api/v1/progress")
@csrf.exempt
@_limited
def progress_api():
    """JSON twin of the lookup: {"tracking_no", "verifier"} -> the same facts as the page, nothing personal."""
    data = _json_object()
    try:
        result = progress.lookup(str(data.get("tracking_no", "")), str(data.get("verifier", "")))
    except InvalidInput as exc:
        return jsonify(error={"status": 400, "message": exc.message, "fields": exc.details.get("errors", {})}), 400
    if result is None:
        return jsonify(error={"status": 404, "message": _("没有查到：申请编号不存在，或号码后几位对不上。")}), 404
    return jsonify(progress.as_dict(result))
