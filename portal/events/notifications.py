"""Telling people about events: an entrepreneur when they register or move up from the waiting list, everyone
registered when an event moves or is cancelled, an invited person, and the reminder the day before.

Texts: templates/events/notify/ (SMS in Chinese, as every message of the portal). Links are site paths.
"""

from __future__ import annotations

from portal.accounts.models import User
from portal.events.models import Event, EventInvitation, EventRegistration
from portal.events.queries import short_when
from portal.events.states import SEATED, WAITING
from portal.notify import messages

PURPOSE = "event"


def _tell(template: str, user: User, event: Event, **context) -> None:
    messages.tell(
        f"events/notify/{template}.txt",
        user_id=user.id,
        phone=user.phone,
        purpose=PURPOSE,
        link=f"/events/{event.id}",
        when=short_when(event),
        title=event.title[:30],
        **context,
    )


def registered(registration: EventRegistration) -> None:
    template = "registered" if registration.status == SEATED else "waiting"
    _tell(template, registration.user, registration.event)


def promoted(registration: EventRegistration, reason: str) -> None:
    """`reason`: "withdrawal" (someone left) or "capacity" (the organiser made room)."""
    _tell("promoted", registration.user, registration.event, reason=reason)


def everyone(event: Event, template: str) -> int:
    """`moved` or `cancelled`: everyone with a seat or on the waiting list. Returns how many were told."""
    told = 0
    for registration in event.registrations:
        if registration.status in (SEATED, WAITING):
            _tell(template, registration.user, event, reason=event.cancel_reason or "")
            told += 1
    return told


def invited(invitation: EventInvitation, event: Event) -> None:
    _tell("invited", invitation.user, event)


def reminder(registration: EventRegistration) -> None:
    event = registration.event
    _tell("reminder", registration.user, event, place=(event.place_name or "")[:40], online=bool(event.online_url),
          code=registration.code or "")  # fmt: skip
