"""Staff queue pages: the unit's queue, one item, the actions, export; and the office's read-only overview."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import audit
from portal.applications import services as applications
from portal.applications import states
from portal.applications.vocab import ATTACHMENT_KINDS
from portal.catalog import vocab as catalog_vocab
from portal.catalog.models import Unit
from portal.catalog.services import all_counties, find_county
from portal.core import spreadsheet
from portal.core.actions import perform
from portal.core.crypto import mask_id_number, mask_phone
from portal.core.guard import ascii_int
from portal.errors import NotFound
from portal.extensions import db
from portal.queues import services
from portal.queues.calendar import WorkCalendar
from portal.visits import services as visits

bp = Blueprint("queues", __name__)


def _staff():
    if not current_user.is_authenticated:
        return None
    if current_user.role not in ("staff", "office", "admin"):
        raise NotFound()  # staff pages do not exist for applicants and mentors
    return current_user


def _filters() -> tuple[services.Filters, list[str]]:
    notices = []
    args = request.args
    state = args.get("state") or None
    if state and state not in states.STATES:
        notices.append(_("没有“%(value)s”这个状态，已忽略。", value=state[:20]))
        state = None
    app_type = args.get("type") or None
    if app_type and app_type not in catalog_vocab.APPLICATION_TYPES:
        notices.append(_("没有“%(value)s”这类申请，已忽略。", value=app_type[:20]))
        app_type = None
    county_id = None
    if args.get("county"):
        county = find_county(args["county"])
        if county is None:
            notices.append(_("没有找到“%(value)s”这个县区，已忽略。", value=args["county"][:20]))
        else:
            county_id = county.id
    return services.Filters(
        state=state,
        type=app_type,
        county_id=county_id,
        overdue=args.get("overdue") == "1",
        mine=args.get("mine") == "1",
    ), notices


def _unit_for_view(user) -> int | None:
    """Staff see their own unit; the office picks a unit (or all)."""
    if user.role == "staff":
        return user.unit_id
    code = request.args.get("unit")
    if not code:
        return None
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound()
    return unit.id


@bp.get("/staff/queue")
@login_required
def queue():
    user = _staff()
    filters, notices = _filters()
    unit_id = _unit_for_view(user)
    page = services.queue_page(unit_id, filters, user, cursor=request.args.get("after"))
    cal = WorkCalendar(services.get_rules("holidays"))
    return render_template(
        "queues/queue.html",
        page=page,
        clocks={item.id: services.clock(item, cal) for item in page.items},
        filters=filters,
        notices=notices,
        counties=all_counties(),
        unit=db.session.get(Unit, unit_id) if unit_id else None,
        units=db.session.scalars(sa.select(Unit).order_by(Unit.code)).all() if user.role != "staff" else [],
        load=services.colleague_load(unit_id) if unit_id and user.role == "staff" else [],
        read_only=user.role != "staff",
    )


@bp.get("/staff/items/<int:item_id>")
@login_required
def item(item_id: int):
    user = _staff()
    queue_item = services.item_for(user, item_id)
    application = queue_item.application
    form = applications.build_form(application.type, application.applicant, application)
    full = user.full_personal_data
    if full:
        audit.record(user, "personal_data.view", "application", application.id)
        db.session.commit()
    return render_template(
        "queues/item.html",
        item=queue_item,
        application=application,
        rows=applications.answer_rows(form),
        siblings=services.siblings(queue_item),
        notes=services.notes(queue_item),
        clock=services.clock(queue_item),
        id_number=application.id_number if full else mask_id_number(application.id_number),
        phone=application.phone if full else mask_phone(application.phone),
        kinds=ATTACHMENT_KINDS,
        colleagues=services.colleague_load(queue_item.unit_id) if user.role == "staff" else [],
        units=db.session.scalars(sa.select(Unit).where(Unit.id != queue_item.unit_id).order_by(Unit.code)).all(),
        pending=services.pending_co_reviews(queue_item),
        offer_visits=visits.upcoming() if application.type == "mentoring" and queue_item.role == "lead" else [],
        offers=visits.offers_for(application.id) if application.type == "mentoring" else [],
        read_only=user.role != "staff",
    )


ACTIONS = {
    "claim": lambda user, item_id, form: services.claim(user, item_id),
    "release": lambda user, item_id, form: services.release(user, item_id),
    "assign": lambda user, item_id, form: services.assign(user, item_id, _int(form.get("colleague"))),
    "accept": lambda user, item_id, form: services.accept(user, item_id),
    "request_material": lambda user, item_id, form: services.request_material(
        user, item_id, (form.get("missing") or "").splitlines(), form.get("message", "")
    ),
    "approve": lambda user, item_id, form: services.approve(user, item_id, form.get("message", "")),
    "reject": lambda user, item_id, form: services.reject(user, item_id, form.get("reason", "")),
    "transfer": lambda user, item_id, form: services.transfer(
        user, item_id, form.get("unit", ""), form.get("reason", "")
    ),
    "opinion": lambda user, item_id, form: services.record_opinion(
        user, item_id, form.get("opinion", ""), form.get("opinion_text", "")
    ),
    "note": lambda user, item_id, form: services.add_note(user, item_id, form.get("note", "")),
    "message": lambda user, item_id, form: services.message_applicant(user, item_id, form.get("message", "")),
}

DONE = {
    "claim": _l("已认领。"),
    "release": _l("已退回队列。"),
    "assign": _l("已分派。"),
    "accept": _l("已受理，申请人会收到通知。"),
    "request_material": _l("已通知申请人补正材料，办理时限暂停计时。"),
    "approve": _l("已批准，申请人会收到通知。"),
    "reject": _l("已作出不予通过的决定，申请人会看到理由。"),
    "transfer": _l("已转交。"),
    "opinion": _l("会审意见已记录。"),
    "note": _l("内部备注已保存。"),
    "message": _l("留言已发给申请人。"),
}


def _int(value) -> int:
    return ascii_int(value) or 0  # 0 for "abc", "²" and numbers past the database's range alike


@bp.post("/staff/items/<int:item_id>/<action>")
@login_required
def act(item_id: int, action: str):
    user = _staff()
    if action not in ACTIONS:
        abort(404)
    services.item_for(user, item_id)  # 404 before anything else for items of other units
    done = perform(lambda: ACTIONS[action](user, item_id, request.form), str(DONE[action]))
    if done and action == "transfer":
        return redirect(url_for("queues.queue"))
    return redirect(url_for("queues.item", item_id=item_id))


def _export_rows(user):
    filters, _notices = _filters()
    unit_id = _unit_for_view(user)
    cursor = None
    full = user.full_personal_data
    while True:
        page = services.queue_page(unit_id, filters, user, cursor=cursor, per_page=500, with_counts=False)
        for item in page.items:
            application = item.application
            yield [
                application.tracking_no or "",
                str(catalog_vocab.APPLICATION_TYPES.get(item.app_type, item.app_type)),
                str(states.STATES.get(item.app_state, item.app_state)),
                "牵头" if item.role == "lead" else "会同",
                application.county.name if application.county else "",
                application.applicant_name or "",
                application.id_number if full else mask_id_number(application.id_number),
                application.phone if full else mask_phone(application.phone),
                str(application.amount_wan or ""),
                application.submitted_at.strftime("%Y-%m-%d %H:%M") if application.submitted_at else "",
                item.due_date.isoformat(),
                item.claimed_by.name if item.claimed_by else "",
            ]
        if not page.next_cursor:
            break
        cursor = page.next_cursor


HEADER = [
    "申请编号",
    "类型",
    "状态",
    "角色",
    "县区",
    "申请人",
    "身份证号",
    "联系电话",
    "金额（万元）",
    "提交时间",
    "办理期限",
    "经办人",
]


@bp.get("/staff/queue/export.<fmt>")
@login_required
def export(fmt: str):
    user = _staff()
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows = list(_export_rows(user))
    audit.record(
        user,
        "queue.export",
        "unit",
        user.unit_id or "all",
        after={"rows": len(rows), "format": fmt, "full": user.full_personal_data},
    )
    db.session.commit()
    # Cells an applicant typed (names) could start with "=" or "@": the writer neutralises formulas.
    if fmt == "csv":
        data, mimetype = spreadsheet.csv_bytes(HEADER, rows), spreadsheet.CSV_MIMETYPE
    else:
        data, mimetype = spreadsheet.xlsx_bytes(HEADER, rows, sheet="queue"), spreadsheet.XLSX_MIMETYPE
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=queue.{fmt}", "Cache-Control": "no-store"},
    )


@bp.get("/staff/items/<int:item_id>/files/<int:attachment_id>")
@login_required
def attachment(item_id: int, attachment_id: int):
    from flask import send_file

    from portal.applications import uploads

    user = _staff()
    queue_item = services.item_for(user, item_id)
    found = next((a for a in queue_item.application.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound()
    audit.record(user, "attachment.download", "application", queue_item.application_id, after={"file": found.id})
    db.session.commit()
    return send_file(
        uploads.path_for(found.stored_name),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.original_name,
        max_age=0,
    )


@bp.get("/office/queues")
@login_required
def office():
    user = _staff()
    if user.role not in ("office", "admin"):
        raise NotFound()
    return render_template(
        "queues/office.html", stats=services.office_overview(), uncovered=services.calendar_warning()
    )
