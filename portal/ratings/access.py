"""Who may rate, answer and read ratings.

- An applicant rates their own application once it is decided (approved or rejected); nobody else's.
- A follow-up is answered by a lead (负责人) of the unit it belongs to, while it is open; the rater gives feedback.
- Staff read their own unit's ratings; the office and administrators read all of them.
"""

from __future__ import annotations

from portal.applications import states as app_states
from portal.core.access import rule
from portal.ratings.states import ANSWERED, OPEN

RATEABLE = (app_states.APPROVED, app_states.REJECTED)
OFFICE = ("office", "admin")


@rule("application.rate")
def _rate(user, application) -> bool:
    return (
        user is not None
        and application is not None
        and application.applicant_id == user.id
        and application.state in RATEABLE
    )


@rule("ratings.unit")
def _unit(user, _obj=None) -> bool:
    return user is not None and user.role == "staff"


@rule("ratings.office")
def _office(user, _obj=None) -> bool:
    return user is not None and user.role in OFFICE


@rule("follow_up.view")
def _view(user, follow_up) -> bool:
    if user is None or follow_up is None:
        return False
    if user.role in OFFICE or follow_up.rating.rater_id == user.id:
        return True
    return user.role == "staff" and user.unit_id == follow_up.unit_id


@rule("follow_up.answer")
def _answer(user, follow_up) -> bool:
    return (
        _view(user, follow_up)
        and user.role == "staff"
        and user.is_unit_lead
        and user.unit_id == follow_up.unit_id
        and follow_up.status == OPEN
    )


@rule("follow_up.feedback")
def _feedback(user, follow_up) -> bool:
    return (
        user is not None
        and follow_up is not None
        and follow_up.rating.rater_id == user.id
        and (follow_up.status == ANSWERED)
    )
