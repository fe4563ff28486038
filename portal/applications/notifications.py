"""Telling the applicant: every move of their application that they should know of, in the inbox and by SMS.

Connected to `signals.transitioned`, so whoever moves the application (staff in a queue, the routing at
submission, an offered visit seat) the applicant hears of it the same way. Texts: templates/applications/notify/.
"""

from __future__ import annotations

from flask import Flask

from portal.applications import signals
from portal.notify import messages

TOLD = ("route", "accept", "request_material", "approve", "reject", "transfer", "message", "offer_visit")


def tell_applicant(application, action: str, event=None, **_ignored) -> None:
    if action not in TOLD:
        return
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
    )


def init_app(app: Flask) -> None:
    signals.transitioned.connect(tell_applicant)
