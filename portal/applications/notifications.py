"""Telling the applicant: every move of their application that they should know of, in the inbox and by SMS.

Connected to `signals.transitioned`, so whoever moves the application (staff in a queue, the routing at
submission, an offered visit seat) the applicant hears of it the same way. Texts: templates/applications/notify/.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, format_date

from portal.applications import signals
from portal.notify import messages

TOLD = ("route", "accept", "request_material", "approve", "reject", "transfer", "message", "offer_visit")


def tell_applicant(application, action: str, event=None, **_ignored) -> None:
    if action not in TOLD:
        return
    _tell(application, action, event)


def tell_promise_moved(application, event) -> None:
    """The promised date moved without a move of the application (a holiday schedule entered at /admin/calendar:
    queues.deadlines): the applicant hears of it as of any other change."""
    _tell(application, event.action, event)


def _tell(application, action: str, event) -> None:
    unit = getattr(event, "unit", None)
    link = f"/my/applications/{application.tracking_no}" if application.tracking_no else None
    messages.tell(
        f"applications/notify/{action}.txt",
        user_id=application.applicant_id,
        phone=application.phone,
        purpose="visit" if action == "offer_visit" else "application",
        link=link,
        body=getattr(event, "message", None),
        no=application.tracking_no,
        unit=unit.short_name if unit else "",
        promised=_long_date(application.promised_date),
    )


def _long_date(day) -> str:
    if day is None:
        return ""
    with force_locale(messages.MESSAGE_LOCALE):
        return format_date(day, "long")


def init_app(app: Flask) -> None:
    signals.transitioned.connect(tell_applicant)
