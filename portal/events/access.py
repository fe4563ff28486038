"""Who may see and do what with events. What a user may not see answers 404."""

from __future__ import annotations

from portal.core.access import rule
from portal.events.states import PUBLIC

ORGANISERS = ("staff", "office")


def _organiser(user) -> bool:
    return user is not None and user.role in ORGANISERS and user.unit_id is not None


@rule("event.create")
def _create(user, _obj=None) -> bool:
    """Units' staff publish events for their unit, the leading group's office for itself."""
    return _organiser(user)


@rule("event.view")
def _view(user, event) -> bool:
    """Published events (and what became of them) are public; a draft only to its unit and the office."""
    if event is None:
        return False
    if event.status in PUBLIC:
        return True
    return _organiser(user) and (user.role == "office" or user.unit_id == event.unit_id)


@rule("event.manage")
def _manage(user, event) -> bool:
    """The organiser unit's staff (the office for its own events) edit, publish, cancel and record outcomes."""
    return _organiser(user) and event is not None and user.unit_id == event.unit_id


@rule("event.checkin")
def _checkin(user, event) -> bool:
    """At the door: the organiser unit's people, on a published event."""
    return _manage(user, event) and event.status == "published"


@rule("event.register")
def _register(user, _event=None) -> bool:
    """Entrepreneurs register with their own account (who may join a given event is checked when they do)."""
    return user is not None and user.role == "applicant"
