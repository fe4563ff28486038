"""Staff queue pages: the unit's queue, one item, the actions, export; and the office's read-only overview."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import audit
from portal.accounts.grants import may_see_full_data
from portal.applications import material, states, uploads
from portal.applications import queries as applications
from portal.applications.vocab import ATTACHMENT_KINDS
from portal.catalog import vocab as catalog_vocab
from portal.catalog.services import all_counties, find_county
from portal.core import panels
from portal.core.access import require
from portal.core.actions import perform
from portal.core.crypto import mask_id_number, mask_phone
from portal.core.guard import ascii_int
from portal.errors import NotFound
from portal.queues import access, exports, operations, queries

bp = Blueprint("queues", __name__)


def _staff():
    # staff pages do not exist for applicants and mentors
    return require(current_user, "queue.view", current_user)


def _filters() -> tuple[queries.Filters, list[str]]:
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
    return queries.Filters(
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
    unit = queries.unit_by_code(code)
    if unit is None:
        raise NotFound()
    return unit.id


@bp.get("/staff/queue")
@login_required
def queue():
    user = _staff()
    filters, notices = _filters()
    unit_id = _unit_for_view(user)
    page = queries.queue_page(unit_id, filters, user, cursor=request.args.get("after"))
    return render_template(
        "queues/queue.html",
        page=page,
        clocks=queries.clocks(page.items),
        filters=filters,
        notices=notices,
        counties=all_counties(),
        unit=next((u for u in queries.units() if u.id == unit_id), None) if unit_id else None,
        units=queries.units() if user.role != "staff" else [],
        load=[(p, n) for p, n in queries.colleague_load(unit_id) if p.id != user.id]
        if unit_id and user.role == "staff"
        else [],
        read_only=not access.may_act(user),
    )


@bp.get("/staff/items/<int:item_id>")
@login_required
def item(item_id: int):
    user = _staff()
    queue_item = queries.item_for(user, item_id)
    application = queue_item.application
    form = applications.build_form(application.type, application.applicant, application)
    full = may_see_full_data(user)
    if full:
        audit.record_read(user, "personal_data.view", "application", application.id)
    return render_template(
        "queues/item.html",
        item=queue_item,
        application=application,
        rows=applications.answer_rows(form),
        siblings=queries.siblings(queue_item),
        same_person=queries.same_person_loans(queue_item),
        notes=queries.notes(queue_item),
        clock=queries.clock(queue_item),
        id_number=application.id_number if full else mask_id_number(application.id_number),
        phone=application.phone if full else mask_phone(application.phone),
        kinds=ATTACHMENT_KINDS,
        colleagues=queries.colleague_load(queue_item.unit_id) if user.role == "staff" else [],
        units=queries.units(exclude_id=queue_item.unit_id),
        pending=queries.pending_co_reviews(queue_item),
        checklist=material.checklist(application.type, application.answers or {}),
        material_rounds=material.previous_requests(application),
        panels=panels.render("queue_item.staff", queue_item, user),
    )


ACTIONS = {
    "claim": lambda user, item_id, form: operations.claim(user, item_id),
    "release": lambda user, item_id, form: operations.release(user, item_id),
    "assign": lambda user, item_id, form: operations.assign(user, item_id, _int(form.get("colleague"))),
    "accept": lambda user, item_id, form: operations.accept(user, item_id),
    "request_material": lambda user, item_id, form: operations.request_material(user, item_id, form),
    "approve": lambda user, item_id, form: operations.approve(user, item_id, form.get("message", "")),
    "reject": lambda user, item_id, form: operations.reject(user, item_id, form.get("reason", "")),
    "transfer": lambda user, item_id, form: operations.transfer(
        user, item_id, form.get("unit", ""), form.get("reason", "")
    ),
    "opinion": lambda user, item_id, form: operations.record_opinion(
        user, item_id, form.get("opinion", ""), form.get("opinion_text", "")
    ),
    "note": lambda user, item_id, form: operations.add_note(user, item_id, form.get("note", "")),
    "message": lambda user, item_id, form: operations.message_applicant(user, item_id, form.get("message", "")),
    "attended": lambda user, item_id, form: operations.mark_attended(user, item_id, form.get("attended_on", "")),
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
    "attended": _l("参训已登记，计入返乡创业培训人次。"),
}


def _int(value) -> int:
    return ascii_int(value) or 0  # 0 for "abc", "²" and numbers past the database's range alike


@bp.post("/staff/items/<int:item_id>/<action>")
@login_required
def act(item_id: int, action: str):
    user = _staff()
    if action not in ACTIONS:
        abort(404)
    queries.item_for(user, item_id)  # 404 before anything else for items of other units
    done = perform(lambda: ACTIONS[action](user, item_id, request.form), str(DONE[action]))
    if done and action == "transfer":
        return redirect(url_for("queues.queue"))
    return redirect(url_for("queues.item", item_id=item_id))


@bp.get("/staff/queue/export.<fmt>")
@login_required
def export(fmt: str):
    user = _staff()
    if fmt not in exports.FORMATS:
        abort(404)
    filters, _notices = _filters()
    data, mimetype = exports.export(user, _unit_for_view(user), filters, fmt)
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=queue.{fmt}", "Cache-Control": "no-store"},
    )


@bp.get("/staff/items/<int:item_id>/files/<int:attachment_id>")
@login_required
def attachment(item_id: int, attachment_id: int):
    user = _staff()
    found = queries.attachment_for(user, item_id, attachment_id)
    audit.record_read(user, "attachment.download", "application", found.application_id, after={"file": found.id})
    return uploads.send(found)


@bp.get("/office/queues")
@login_required
def office():
    require(current_user, "queue.office", current_user)
    return render_template("queues/office.html", stats=queries.office_overview(), uncovered=queries.calendar_warning())
