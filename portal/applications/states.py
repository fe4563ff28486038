"""The one state machine of an application's life: (state, action) -> next state, who may do it, and `transition`.

Every change goes through `transition`, which writes the timeline event and the audit row in the same
transaction and refuses a move that the table does not allow (or that someone else made first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import audit
from portal.applications import signals
from portal.applications.models import Application, ApplicationEvent
from portal.db import utcnow
from portal.errors import InvalidTransition, NotAllowed
from portal.extensions import db

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.catalog.models import Unit

DRAFT, SUBMITTED, ACCEPTED, NEEDS_MATERIAL = "draft", "submitted", "accepted", "needs_material"
APPROVED, REJECTED, WITHDRAWN = "approved", "rejected", "withdrawn"

STATES = {
    DRAFT: _l("草稿"),
    SUBMITTED: _l("已提交"),
    ACCEPTED: _l("已受理"),
    NEEDS_MATERIAL: _l("待补正材料"),
    APPROVED: _l("已批准"),
    REJECTED: _l("未通过"),
    WITHDRAWN: _l("已撤回"),
}
OPEN_STATES = (SUBMITTED, ACCEPTED, NEEDS_MATERIAL)
FINAL_STATES = (APPROVED, REJECTED, WITHDRAWN)

KEEP = "keep"  # the action is recorded on the timeline, the state stays
RESUME = "resume"  # back to the state the application was in before material was requested

APPLICANT, STAFF, SYSTEM = "applicant", "staff", "system"


@dataclass(frozen=True)
class Move:
    to: str
    by: str  # APPLICANT, STAFF or SYSTEM


TRANSITIONS: dict[tuple[str, str], Move] = {
    (DRAFT, "submit"): Move(SUBMITTED, APPLICANT),
    **{(s, "route"): Move(KEEP, SYSTEM) for s in OPEN_STATES},
    (SUBMITTED, "accept"): Move(ACCEPTED, STAFF),
    (SUBMITTED, "request_material"): Move(NEEDS_MATERIAL, STAFF),
    (ACCEPTED, "request_material"): Move(NEEDS_MATERIAL, STAFF),
    (NEEDS_MATERIAL, "supply_material"): Move(RESUME, APPLICANT),
    (ACCEPTED, "approve"): Move(APPROVED, STAFF),
    **{(s, "reject"): Move(REJECTED, STAFF) for s in OPEN_STATES},
    **{(s, "withdraw"): Move(WITHDRAWN, APPLICANT) for s in OPEN_STATES},
    **{(s, "transfer"): Move(KEEP, STAFF) for s in OPEN_STATES},
    **{(s, "message"): Move(KEEP, STAFF) for s in OPEN_STATES},
    # staff offer a mentoring applicant a seat on a 乡村行 visit: only once the application is accepted (and the
    # queue item may be decided); the applicant accepting the seat meets the request
    (ACCEPTED, "offer_visit"): Move(KEEP, STAFF),
    (ACCEPTED, "offer_accepted"): Move(APPROVED, APPLICANT),
    (ACCEPTED, "offer_declined"): Move(KEEP, APPLICANT),
    # the applicant answers a 补正 request, a message or a decision: on the timeline for staff, the state stays
    # (after a decision only for a while: applications.replies)
    **{(s, "reply"): Move(KEEP, APPLICANT) for s in (*OPEN_STATES, APPROVED, REJECTED)},
}

ACTIONS = {
    "submit": _l("提交申请"),
    "route": _l("分送办理单位"),
    "accept": _l("受理"),
    "request_material": _l("要求补正材料"),
    "supply_material": _l("补正材料"),
    "approve": _l("批准"),
    "reject": _l("不予通过"),
    "withdraw": _l("撤回申请"),
    "transfer": _l("转交其他单位"),
    "message": _l("留言"),
    "offer_visit": _l("安排导师乡村行"),
    "offer_accepted": _l("确认参加导师乡村行"),
    "offer_declined": _l("谢绝导师乡村行"),
    "reply": _l("申请人回复"),
    "deadline_recalculated": _l("办理期限调整"),  # a holiday schedule entered at /admin/calendar (queues.deadlines)
}


def allowed(state: str, action: str) -> Move | None:
    return TRANSITIONS.get((state, action))


def _checked_move(application: Application, action: str, actor: User | None) -> Move:
    """The table's move for this action, if `actor` is the one who may make it (applicant, or staff)."""
    move = allowed(application.state, action)
    if move is None:
        raise InvalidTransition(
            _(
                "这份申请现在是“%(state)s”，不能%(action)s。",
                state=STATES[application.state],
                action=ACTIONS.get(action, action),
            )
        )
    if move.by == APPLICANT and (actor is None or actor.id != application.applicant_id):
        raise NotAllowed()
    if move.by == STAFF and (actor is None or actor.role != "staff"):
        raise NotAllowed()
    if action == "approve" and application.type == "loan":
        _one_loan_per_person(application)
    return move


def _one_loan_per_person(application: Application) -> None:
    """A loan is not approved while another loan application for the same 身份证号 is in progress."""
    from portal.applications.queries import open_loans_of_person  # queries builds on this module

    others = open_loans_of_person(application.id_hash, exclude_id=application.id)
    if others:
        raise InvalidTransition(
            _(
                "同一身份证号另有一笔在办贷款申请 %(no)s，请先核实并办结那一笔，再批准这一笔。",
                no="、".join(a.tracking_no for a in others),
            )
        )


def transition(
    application: Application,
    action: str,
    actor: User | None,
    message: str | None = None,
    unit: Unit | None = None,
    details: dict | None = None,
) -> ApplicationEvent:
    """Move an application through the state machine; refuse what the table does not allow.

    The update is conditional on the state we read, so of two people acting at once exactly one wins.
    """
    move = _checked_move(application, action, actor)
    before = application.state
    if move.to == KEEP:
        after = before
    elif move.to == RESUME:
        after = application.resume_state or SUBMITTED
    else:
        after = move.to
    values: dict = {"version": Application.version + 1, "updated_at": utcnow()}
    if after != before:
        values["state"] = after
        if after == NEEDS_MATERIAL:
            values["resume_state"] = before
        if after in FINAL_STATES:
            values["decided_at"] = utcnow()
    result = db.session.execute(
        sa.update(Application)
        .where(Application.id == application.id, Application.version == application.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(application)
        raise InvalidTransition(_("这份申请刚刚被别人处理过了，请刷新后再看。"))
    db.session.refresh(application)
    event = ApplicationEvent(
        application=application,
        actor_id=getattr(actor, "id", None),
        action=action,
        from_state=before,
        to_state=after,
        unit=unit,
        message=message,
        details=details,
    )
    db.session.add(event)
    audit.record(
        actor,
        f"application.{action}",
        "application",
        application.id,
        before={"state": before},
        after={"state": after, "unit": unit.code if unit else None},
    )
    signals.transitioned.send(application, action=action, before=before, after=after, event=event, actor=actor)
    return event
