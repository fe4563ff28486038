"""Pages of the register (返乡创业登记): the person's own records, the unit's queue and decisions, 帮办 with the
person's SMS consent, and the import of a county's spreadsheet return."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import audit
from portal.accounts.grants import may_see_full_data
from portal.core.access import require
from portal.core.actions import perform
from portal.core.crypto import mask_phone
from portal.core.spreadsheet import XLSX_MIMETYPE
from portal.registry import imports, operations, queries
from portal.registry.forms import AnswerForm, ConsentForm, DecisionForm, ImportForm, ProxyForm, RegistrationForm
from portal.registry.states import REGISTRATION

bp = Blueprint("registry", __name__)


# ---------------------------------------------------------------- the person's own records


@bp.get("/registry/")
@login_required
def mine():
    return render_template("registry/mine.html", registrations=queries.mine(current_user))


@bp.route("/registry/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "registration.register")
    form = RegistrationForm(request.form if request.method == "POST" else None, counties=queries.all_counties())
    if request.method == "POST":
        if form.validate_on_submit() and perform(
            lambda: operations.register(current_user, form.values()),
            _("登记已提交，县区人社局确认后计入返乡创业统计。"),
            form=form,
        ):
            return redirect(url_for("registry.mine"))
        return render_template("registry/new.html", form=form), 400
    return render_template("registry/new.html", form=form)


@bp.get("/registry/<int:registration_id>")
@login_required
def detail(registration_id: int):
    registration = queries.own(current_user, registration_id)
    return render_template("registry/detail.html", registration=registration, answer=AnswerForm())


@bp.post("/registry/<int:registration_id>/answer")
@login_required
def answer(registration_id: int):
    registration = queries.own(current_user, registration_id)
    form = AnswerForm(request.form)
    if form.validate_on_submit() and perform(
        lambda: operations.answer(current_user, registration_id, form.note.data or ""),
        _("已提交补充说明，等县区人社局再看。"),
        form=form,
    ):
        return redirect(url_for("registry.detail", registration_id=registration_id))
    return render_template("registry/detail.html", registration=registration, answer=form), 400


@bp.post("/registry/<int:registration_id>/withdraw")
@login_required
def withdraw(registration_id: int):
    perform(lambda: operations.withdraw(current_user, registration_id), _("登记已撤回。"))
    return redirect(url_for("registry.detail", registration_id=registration_id))


# ---------------------------------------------------------------- the unit's queue and decisions


@bp.get("/staff/registrations")
@login_required
def queue():
    require(current_user, "registration.queue")
    status = request.args.get("status") or None
    notices = []
    if status and status not in REGISTRATION.labels:
        notices.append(_("没有“%(value)s”这个状态，已显示全部。", value=status[:20]))
        status = None
    registrations, total = queries.queue(current_user, status)
    return render_template(
        "registry/queue.html",
        registrations=registrations,
        total=total,
        status=status,
        statuses=REGISTRATION.labels,
        notices=notices,
    )


def _staff_page(registration_id: int, decision=None, consent=None, status: int = 200):
    registration = queries.for_staff(current_user, registration_id)
    full = may_see_full_data(current_user)
    if full and registration.person_phone:
        audit.record_read(current_user, "personal_data.view", "registration", registration.id)
    phone = registration.person_phone or (registration.owner.phone if registration.owner else None)
    return render_template(
        "registry/staff_detail.html",
        registration=registration,
        phone=phone if full else mask_phone(phone),
        decision=decision or DecisionForm(),
        consent=consent or ConsentForm(),
    ), status


@bp.get("/staff/registrations/<int:registration_id>")
@login_required
def staff_detail(registration_id: int):
    return _staff_page(registration_id)


DONE = {
    "confirm": _l("已确认，计入返乡创业统计。"),
    "ask_proof": _l("已通知本人补充证明。"),
    "reject": _l("已不予确认，本人会收到原因。"),
}


@bp.post("/staff/registrations/<int:registration_id>/decide")
@login_required
def decide(registration_id: int):
    queries.handled(current_user, registration_id)
    form = DecisionForm(request.form)
    action = request.form.get("action", "")
    reason = form.proof_reason.data if action == "ask_proof" else form.reject_reason.data
    if form.validate_on_submit() and perform(
        lambda: operations.decide(current_user, registration_id, action, reason or ""),
        str(DONE.get(action, "")),
        form=form,
    ):
        return redirect(url_for("registry.staff_detail", registration_id=registration_id))
    return _staff_page(registration_id, decision=form, status=400)


# ---------------------------------------------------------------- 帮办, with the person's SMS consent


@bp.route("/staff/registrations/new", methods=["GET", "POST"])
@login_required
def proxy():
    require(current_user, "registration.enter")
    counties = queries.counties_of_unit(current_user.unit_id)
    form = ProxyForm(request.form if request.method == "POST" else None, counties=counties)
    if request.method == "POST":
        created = []
        if form.validate_on_submit() and perform(
            lambda: created.append(operations.start_proxy(current_user, form.values())),
            _("确认码已发到本人手机。请本人把确认码告诉您，填在下面。"),
            form=form,
        ):
            return redirect(url_for("registry.staff_detail", registration_id=created[0].id))
        return render_template("registry/proxy.html", form=form), 400
    return render_template("registry/proxy.html", form=form)


@bp.post("/staff/registrations/<int:registration_id>/consent")
@login_required
def consent(registration_id: int):
    queries.handled(current_user, registration_id)
    form = ConsentForm(request.form)
    if form.validate_on_submit():
        problem = operations.consent(current_user, registration_id, form.code.data or "")
        if problem is None:
            flash(_("本人已确认，登记已提交。"), "success")
            return redirect(url_for("registry.staff_detail", registration_id=registration_id))
        form.code.errors = [problem]  # the wrong attempt stays counted: this request commits
    return _staff_page(registration_id, consent=form, status=400)


@bp.post("/staff/registrations/<int:registration_id>/resend")
@login_required
def resend(registration_id: int):
    perform(lambda: operations.resend(current_user, registration_id), _("新的确认码已发到本人手机，旧的作废。"))
    return redirect(url_for("registry.staff_detail", registration_id=registration_id))


# ---------------------------------------------------------------- a county's spreadsheet return


@bp.route("/staff/registrations/import", methods=["GET", "POST"])
@login_required
def import_upload():
    require(current_user, "registration.enter")
    form = ImportForm()
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(imports.MAX_BYTES + 1) if upload else b""
        if not data:
            form.file.errors = [_("请选择要上传的 .xlsx 文件。")]
        elif form.validate_on_submit():
            pending = []
            if perform(lambda: pending.append(imports.preview(current_user, upload.filename, data)), None, form=form):
                return redirect(url_for("registry.import_report", token=pending[0].token))
        return render_template("registry/import.html", form=form), 400
    return render_template("registry/import.html", form=form)


@bp.get("/staff/registrations/import/template.xlsx")
@login_required
def import_template():
    require(current_user, "registration.queue")
    return Response(
        imports.template_bytes(),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": "attachment; filename=registration-return.xlsx"},
    )


@bp.route("/staff/registrations/import/<token>", methods=["GET", "POST"])
@login_required
def import_report(token: str):
    require(current_user, "registration.enter")
    pending, report = imports.report_of(current_user, token)
    if request.method == "POST":
        only_valid = request.form.get("choice") == "valid"
        if ImportForm(request.form).validate_on_submit() and perform(
            lambda: imports.commit_import(current_user, token, only_valid),
            lambda n: _("已导入 %(n)s 条登记，已计为本单位确认。", n=n),
        ):
            return redirect(url_for("registry.queue"))
    return render_template(
        "registry/import_report.html",
        pending=pending,
        report=report,
        headers=imports.FIELD_HEADERS,
    ), (400 if request.method == "POST" else 200)
