"""Changing applications: drafts, submission (once), attachments, withdrawal and material (补正).

Every state change goes through `states.transition`; the caller's request commits once at its end.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from stdnum.cn import ric
from werkzeug.datastructures import FileStorage

from portal import audit
from portal.accounts.models import User
from portal.applications import material, quotas, rules, signals, states, uploads
from portal.applications.forms import age_on
from portal.applications.models import TYPE_CODES, Application, Attachment, TrackingCounter
from portal.applications.queries import attachment_of, for_applicant, form_class, open_loans_of_person
from portal.applications.states import transition
from portal.applications.vocab import ATTACHMENT_KINDS, CO_APPLICANT_SLOTS
from portal.catalog.models import County
from portal.core.crypto import keyed_hash
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from portal.extensions import db

NOT_ANSWERS = {"csrf_token", "form_key"}


def _raw(form) -> tuple[dict, dict]:
    """What the user typed, as strings, split into plain answers and sensitive ones (stored encrypted)."""
    answers, private = {}, {}
    for f in form:
        if f.name in NOT_ANSWERS or f.name in form.attachment_fields:
            continue
        if f.type == "BooleanField":
            value = "y" if f.data else ""
        elif f.raw_data:
            value = f.raw_data[0] if len(f.raw_data) == 1 else list(f.raw_data)
        else:
            value = "" if f.data is None else str(f.data)
        (private if f.name in form.sensitive_fields else answers)[f.name] = value
    return answers, private


@dataclass
class Outcome:
    application: Application
    submitted: bool = False
    already: bool = False  # this form had been submitted before (double click, retry)
    notice: str | None = None  # something the applicant must act on after submitting
    errors: dict[str, list[str]] = field(default_factory=dict)


def _find_or_create(user: User, app_type: str, form_key: str) -> Application:
    form_key = (form_key or "").strip()[:40] or uuid.uuid4().hex
    application = db.session.scalar(sa.select(Application).where(Application.form_key == form_key))
    if application is not None:
        if application.applicant_id != user.id or application.type != app_type:
            raise NotFound()
        return application
    quotas.check_new_draft(user)
    application = Application(
        type=app_type, state=states.DRAFT, applicant_id=user.id, form_key=form_key, answers={}, private={}
    )
    try:
        with db.session.begin_nested():
            db.session.add(application)
    except sa.exc.IntegrityError:
        # The same form arrived twice at once: the other request created it.
        application = db.session.scalar(sa.select(Application).where(Application.form_key == form_key))
        if application is None or application.applicant_id != user.id:
            raise NotFound() from None
    else:
        audit.record(user, "application.draft_create", "application", application.id, after={"type": app_type})
    return application


def _store_within_limits(upload: FileStorage, used: int) -> uploads.StoredFile:
    """Check one upload against the per-file limit and, with `used` bytes already there, the per-application one."""
    max_file = int(float(current_app.config["UPLOAD_MAX_FILE_MB"]) * 1024 * 1024)
    max_total = int(float(current_app.config["UPLOAD_MAX_APPLICATION_MB"]) * 1024 * 1024)
    stored = uploads.check(upload, max_file)
    if used + stored.size > max_total:
        raise InvalidInput(_("这份申请的材料合计不能超过 %(mb)s MB。", mb=format(max_total / 1048576, "g")))
    return stored


def _store_uploads(application: Application, user: User, files: dict[str, FileStorage], form) -> dict[str, str]:
    errors: dict[str, str] = {}
    used = sum(a.size for a in application.attachments)
    for name in form.attachment_fields:
        upload = files.get(name)
        if upload is None or not upload.filename:
            continue
        try:
            stored = _store_within_limits(upload, used)
            quotas.check_upload(user, stored.size)
        except InvalidInput as exc:
            errors[name] = exc.message
            continue
        used += stored.size
        _attach(application, stored, "collateral" if name == "collateral_proof" else name, user)
    return errors


def _attach(application: Application, stored: uploads.StoredFile, kind: str, user: User, event_id=None) -> None:
    """The Attachment row and its bytes, added to the same transaction."""
    uploads.put(stored)
    application.attachments.append(
        Attachment(
            kind=kind,
            original_name=stored.original_name,
            stored_name=stored.stored_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by_id=user.id,
            event_id=event_id,
        )
    )
    db.session.flush()


def save(
    user: User, app_type: str, form, files: dict[str, FileStorage], submit: bool, remove: int | None = None
) -> Outcome:
    """Save the draft (answers and every acceptable upload, minus the attachment `remove` names); when asked,
    validate all and submit.

    One transaction: either the draft is saved, or the draft is saved and submitted; never half of it.
    The caller commits. A new draft past the account's quota raises InvalidInput (nothing is written).
    """
    if user.role != "applicant":
        raise NotAllowed(_("只有创业者账号可以提交申请。"))
    application = _find_or_create(user, app_type, form.form_key.data)
    if application.state != states.DRAFT:
        return Outcome(application, already=True)
    answers, private = _raw(form)
    application.answers, application.private = answers, private
    application.updated_at = utcnow()
    if remove is not None:
        _remove_attachment(user, application, remove)
    upload_errors = _store_uploads(application, user, files, form)
    db.session.flush()
    outcome = Outcome(application)
    for name, message in upload_errors.items():
        outcome.errors.setdefault(name, []).append(message)
    if not submit:
        return outcome
    valid = form.validate()
    for name, messages in form.errors.items():
        outcome.errors.setdefault(name, []).extend(str(m) for m in messages)
    if valid:
        for name, message in _business_checks(app_type, form, application, user).items():
            outcome.errors.setdefault(name, []).append(message)
    if outcome.errors:
        return outcome
    others = _same_person_loans(form, application) if app_type == "loan" else []
    _finalise(application, app_type, form)
    transition(application, "submit", user, message=_("已收到您的申请。"))
    if others:
        # Another account applied with this 身份证号: both go ahead, staff see the conflict on both items,
        # and neither can be approved while the other is open (states.transition).
        outcome.notice = _contact_notice(others)
    # The queues area routes it to the responsible units, inside this same transaction.
    signals.submitted.send(application)
    outcome.submitted = True
    return outcome


def _members(form) -> int:
    return 1 + sum(1 for i in range(1, CO_APPLICANT_SLOTS + 1) if (getattr(form, f"co{i}_name").data or "").strip())


def _business_checks(app_type: str, form, application: Application, user: User) -> dict[str, str]:
    errors: dict[str, str] = {}
    kinds = {a.kind for a in application.attachments}
    if app_type == "loan":
        applicant_type = form.applicant_type.data
        members = _members(form)
        if applicant_type == "partnership":
            if members < 2:
                errors["co1_name"] = _("合伙创业请至少填写一位合伙人。")
            for i in range(1, CO_APPLICANT_SLOTS + 1):
                name, id_number = getattr(form, f"co{i}_name"), getattr(form, f"co{i}_id")
                if (name.data or "").strip() and not id_number.data:
                    errors[f"co{i}_id"] = _("请填写这位合伙人的身份证号。")
                if id_number.data and not (name.data or "").strip():
                    errors[f"co{i}_name"] = _("请填写这位合伙人的姓名。")
                if id_number.data and id_number.data == form.id_number.data:
                    errors[f"co{i}_id"] = _("合伙人不能是申请人本人。")
        amount = form.amount_wan.data
        if amount is not None:
            problem = rules.amount_problem(applicant_type, Decimal(amount), members)
            if problem:
                errors["amount_wan"] = problem
        if form.term_months.data:
            problem = rules.term_problem(applicant_type, form.term_months.data)
            if problem:
                errors["term_months"] = problem
        if applicant_type in ("partnership", "smb"):
            if not (form.business_name.data or "").strip():
                errors["business_name"] = _("合伙或企业申请请填写经营主体名称。")
            if not form.uscc.data:
                errors["uscc"] = _("合伙或企业申请请填写统一社会信用代码。")
            if "licence" not in kinds:
                errors["licence"] = _("合伙或企业申请请上传营业执照。")
        if form.collateral.data not in ("", "none") and "collateral" not in kinds:
            errors["collateral_proof"] = _("选择了抵押或质押，请上传抵质押物证明。")
        if age_on(ric.get_birth_date(form.id_number.data), date.today()) < 18:
            errors["id_number"] = _("申请贷款须年满 18 周岁。")
        own = [a for a in _same_person_loans(form, application) if a.applicant_id == user.id]
        if own:
            errors["id_number"] = _(
                "您已有一笔正在办理的创业担保贷款申请（%(no)s），请等办理结果出来或撤回后再申请。",
                no=own[0].tracking_no,
            )
    return errors


def _same_person_loans(form, application: Application) -> list[Application]:
    return open_loans_of_person(keyed_hash(form.id_number.data), exclude_id=application.id)


def _contact_notice(others: list[Application]) -> str:
    """What an applicant is told when another account has a loan in progress for the same 身份证号: whom to call,
    and nothing about the other application (its number, state or holder)."""
    unit = others[0].handling_unit  # kept current by the queues area
    if unit is None:
        return _("这个身份证号另有一笔正在办理的创业担保贷款申请。工作人员会核实，请联系所在县区人社部门说明情况。")
    name = unit.name_en if str(get_locale()).startswith("en") and unit.name_en else unit.name
    if unit.phone:
        return _(
            "这个身份证号另有一笔正在办理的创业担保贷款申请。"
            "工作人员会核实，请联系%(unit)s（电话 %(phone)s）说明情况。",
            unit=name,
            phone=unit.phone,
        )
    return _("这个身份证号另有一笔正在办理的创业担保贷款申请。工作人员会核实，请联系%(unit)s说明情况。", unit=name)


def _finalise(application: Application, app_type: str, form) -> None:
    """Store the checked, normalised values and give the application its tracking number."""
    answers, private = _raw(form)
    application.answers = answers
    application.private = private
    application.applicant_name = form.applicant_name.data.strip()
    application.id_number = form.id_number.data
    application.id_hash = keyed_hash(form.id_number.data)
    application.phone = form.phone.data
    application.county_id = db.session.scalar(sa.select(County.id).where(County.code == form.county.data))
    application.township = form.township.data.strip()
    if app_type == "loan":
        try:
            application.amount_wan = Decimal(form.amount_wan.data).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError):
            application.amount_wan = None
    application.submitted_at = utcnow()
    application.tracking_no = next_tracking_no(app_type, application.submitted_at.year)


def next_tracking_no(app_type: str, year: int) -> str:
    """NY-2026-DB-000123. The counter row is updated in place, so concurrent submissions queue on it."""
    code = TYPE_CODES[app_type]
    bump = (
        sa.update(TrackingCounter)
        .where(TrackingCounter.year == year, TrackingCounter.type_code == code)
        .values(value=TrackingCounter.value + 1)
    )
    if db.session.execute(bump).rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(TrackingCounter(year=year, type_code=code, value=0))
        except sa.exc.IntegrityError:
            pass  # another submission created the counter first
        db.session.execute(bump)
    value = db.session.scalar(
        sa.select(TrackingCounter.value).where(TrackingCounter.year == year, TrackingCounter.type_code == code)
    )
    return f"NY-{year}-{code}-{value:06d}"


def _remove_attachment(user: User, application: Application, attachment_id: int) -> None:
    """Take one attachment (and its bytes) off a draft; the answers typed with it are saved by `save`."""
    try:
        attachment = attachment_of(application, attachment_id)
    except NotFound:
        return  # already removed (a second click): the answers are still saved
    application.attachments.remove(attachment)
    uploads.remove(attachment.stored_name)
    audit.record(
        user,
        "application.attachment_remove",
        "application",
        application.id,
        before={"attachment": attachment.original_name},
    )


def withdraw(user: User, tracking_no: str, reason: str) -> Application:
    application = for_applicant(user, tracking_no)
    transition(application, "withdraw", user, message=(reason or "").strip()[:500] or _("申请人撤回了申请。"))
    return application


def supply_material(user: User, tracking_no: str, comment: str, files, formdata=None) -> Application:
    """The applicant's answer to a request for material (补正): the requested answers corrected (validated as on
    the form), a file for each requested document, and a comment. Old and new answers go on the timeline."""
    application = for_applicant(user, tracking_no)
    if application.state != states.NEEDS_MATERIAL:
        raise InvalidTransition(_("这份申请现在不需要补正材料。"))
    items = material.items_of(material.current_request(application))
    comment = (comment or "").strip()[:2000]
    try:
        new, changes = material.corrected_answers(application, items, formdata or {})
        errors: dict[str, str] = {}
    except material.MaterialErrors as exc:
        new, changes, errors = {}, {}, dict(exc.errors)
    by_item = {
        item["code"]: [f for f in files.getlist(f"file_{item['code']}") if f and f.filename]
        for item in items
        if item["kind"] == "document"
    }
    extra = [f for f in files.getlist("files") if f and f.filename]
    errors.update(material.documents_missing(items, {f"file_{code}": found for code, found in by_item.items()}))
    if errors:
        raise material.MaterialErrors(errors)  # every problem at once, at its field
    if not comment and not extra and not new and not any(by_item.values()):
        raise InvalidInput(_("请写说明或上传补正的材料。"), field="comment")
    uploads_by_kind = [
        (code if code in ATTACHMENT_KINDS else "supplement", f) for code, fs in by_item.items() for f in fs
    ]
    stored_files = _store_all([*uploads_by_kind, *(("supplement", f) for f in extra)], application, user)
    material.apply_answers(application, new, form_class(application.type).sensitive_fields)
    details = {"changes": changes} if changes else None
    event = transition(application, "supply_material", user, message=comment or _("已按要求补正。"), details=details)
    db.session.flush()
    for kind, stored in stored_files:
        _attach(application, stored, kind, user, event.id)
    return application


def _store_all(uploads_: list, application: Application, user: User) -> list:
    """Store each (kind, upload) within the per-file, per-application and per-account limits."""
    used = sum(a.size for a in application.attachments)
    stored_files: list = []
    try:
        for kind, upload in uploads_:
            stored = _store_within_limits(upload, used)
            quotas.check_upload(user, stored.size + sum(s.size for _k, s in stored_files), len(stored_files) + 1)
            stored_files.append((kind, stored))
            used += stored.size
    except InvalidInput as exc:
        exc.details.setdefault("field", "files")
        raise
    return stored_files
