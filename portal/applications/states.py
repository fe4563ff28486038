"""The one state machine of an application's life: (state, action) -> next state, and who may do it.

Every change goes through `transition`, which writes the timeline event and the audit row in the same
transaction and refuses a move that the table does not allow (or that someone else made first).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

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
    # a mentoring applicant accepts the seat on a 乡村行 visit that staff offered: the request is met
    (SUBMITTED, "offer_accepted"): Move(APPROVED, APPLICANT),
    (ACCEPTED, "offer_accepted"): Move(APPROVED, APPLICANT),
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
    "offer_accepted": _l("确认参加导师乡村行"),
}


def allowed(state: str, action: str) -> Move | None:
    return TRANSITIONS.get((state, action))


def actions_from(state: str, by: str) -> list[str]:
    return [action for (s, action), move in TRANSITIONS.items() if s == state and move.by == by]
