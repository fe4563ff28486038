"""Who may see and do what in the work queues. One rule per question, used by services, views and templates.

- Staff see their own unit's items, except items their unit transferred away: the moment an application is
  transferred, the old unit loses it (pages, files, exports), unless it is also a co-reviewer (its co-review
  item stays its own). The office and administrators see every item, read-only.
- Only staff act on items, and only on open items of their unit; deciding needs the item claimed by oneself;
  the lead unit's decisions need the co-reviewing units' opinions in.
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.applications import states as app_states
from portal.core.access import rule
from portal.queues.models import QueueItem
from portal.queues.states import OPEN, TRANSFERRED

READ_ONLY_ROLES = ("office", "admin")


def is_office(user) -> bool:
    return user is not None and user.role in READ_ONLY_ROLES


@rule("queue.view")
def _view_queue(user, _obj=None) -> bool:
    return user is not None and (user.role == "staff" or is_office(user))


@rule("queue.office")
def _office(user, _obj=None) -> bool:
    return is_office(user)


@rule("queue_item.view")
def _view_item(user, item: QueueItem | None) -> bool:
    if user is None or item is None:
        return False
    if is_office(user):
        return True
    return user.role == "staff" and user.unit_id == item.unit_id and item.status != TRANSFERRED


def refusal(user, item: QueueItem, *, lead_only: bool = False, claimed: bool = True) -> str | None:
    """Why `user` may not act on `item` (a message for the user), or None when they may."""
    if item.status != OPEN:
        return _("这一项已经办结或转出，不能再操作。")
    if lead_only and item.role != "lead":
        return _("只有牵头单位可以作这项操作。")
    if claimed and item.claimed_by_id != user.id:
        if item.claimed_by_id is None:
            return _("请先认领这一项再办理。")
        return _("这一项由%(name)s办理，您不能操作。", name=item.claimed_by.name)
    return None


def may_act(user) -> bool:
    return user is not None and user.role == "staff"


def decide_refusal(user, item: QueueItem, pending_units: list[str]) -> str | None:
    """Why the lead unit may not decide now (approve, or offer a mentoring applicant a visit seat).

    The application's own state machine is asked last (approving needs it accepted: 受理 comes first).
    """
    problem = refusal(user, item, lead_only=True)
    if problem:
        return problem
    if pending_units:
        return _("还要等%(units)s提出会审意见，才能作决定。", units="、".join(pending_units))
    if item.application.state != app_states.ACCEPTED:
        return _("请先受理这份申请，再作决定。")
    return None


def attendance_refusal(item: QueueItem) -> str | None:
    """Why attendance cannot be recorded on this item: only the lead unit, only an approved training application."""
    if item.role != "lead" or item.status == TRANSFERRED:
        return _("只有牵头单位可以登记参训。")
    if item.application.type != "training" or item.application.state != app_states.APPROVED:
        return _("只有已批准的创业培训申请可以登记参训。")
    return None


@rule("queue_item.attendance")
def _attendance(user, item: QueueItem | None) -> bool:
    """Record the day an approved trainee attended: staff of the lead unit (the item may be closed)."""
    return _view_item(user, item) and may_act(user) and attendance_refusal(item) is None


@rule("queue_item.act")
def _act(user, item: QueueItem | None) -> bool:
    """Claim, release, add a note: staff of the unit, on an open item."""
    return _view_item(user, item) and may_act(user) and refusal(user, item, claimed=False) is None


@rule("queue_item.handle")
def _handle(user, item: QueueItem | None) -> bool:
    """Accept, ask for material, reject, transfer, message, give an opinion: the item claimed by oneself."""
    return _view_item(user, item) and may_act(user) and refusal(user, item) is None


@rule("queue_item.decide")
def _decide(user, item: QueueItem | None) -> bool:
    """Approve or offer a visit seat: lead item claimed by oneself, application accepted, co-reviews in."""
    from portal.queues.queries import pending_co_reviews

    if not (_view_item(user, item) and may_act(user)):
        return False
    pending = [w.unit.short_name for w in pending_co_reviews(item)]
    return decide_refusal(user, item, pending) is None
