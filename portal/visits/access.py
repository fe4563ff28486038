"""Who may see and do what with 创业导师乡村行 visits."""

from __future__ import annotations

from portal.core.access import rule
from portal.visits.states import CANCELLED, COMPLETED, CONFIRMED

PUBLIC = (CONFIRMED, COMPLETED, CANCELLED)


@rule("visit.view")
def _view(user, visit) -> bool:
    """Published visits (and what became of them) are public; pending or declined ones are not."""
    return visit is not None and visit.status in PUBLIC


@rule("visit.manage")
def _manage(user, visit) -> bool:
    """A mentor manages their own visits."""
    return user is not None and user.role == "mentor" and visit is not None and visit.mentor_id == user.mentor_id


@rule("visit.confirm")
def _confirm(user, visit) -> bool:
    """The confirming unit (the county 人社局) decides on a pending visit."""
    return user is not None and user.role == "staff" and visit is not None and visit.confirm_unit_id == user.unit_id


@rule("visit.sign_up")
def _sign_up(user, _visit=None) -> bool:
    return user is not None and user.role == "applicant"
