"""The applicant's reply to a 补正 request, a staff message or a decision: a "reply" step on the timeline.

The reply keeps the application's state; staff read it on the queue item's timeline and in their daily digest.
After a decision a reply is taken for `REPLY_DAYS_AFTER_DECISION` days; a withdrawn application takes none.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from flask import current_app
from flask_babel import gettext as _

from portal.applications import states
from portal.applications.models import Application
from portal.applications.queries import for_applicant
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition

MAX_CHARS = 1000
# the messages an applicant may answer (the templates they were written from)
ANSWERABLE = {
    f"applications/notify/{name}.txt" for name in ("request_material", "message", "approve", "reject", "accept")
}


def closed_reason(application: Application) -> str | None:
    """Why the application takes no reply now (a message for the applicant), or None when it does."""
    if states.allowed(application.state, "reply") is None:
        return _("这份申请已经%(state)s，不能再回复。如有疑问请致电办理单位。", state=states.STATES[application.state])
    if application.state in states.FINAL_STATES and application.decided_at is not None:
        decided = application.decided_at
        decided = decided if decided.tzinfo else decided.replace(tzinfo=UTC)
        days = current_app.config.get("REPLY_DAYS_AFTER_DECISION", 30)
        if utcnow() - decided > timedelta(days=days):
            return _("这份申请办结已超过 %(days)s 天，不能再在线回复。如有疑问请致电办理单位。", days=days)
    return None


def may_reply(application: Application) -> bool:
    return closed_reason(application) is None


def reply(user, tracking_no: str, text: str):
    """Put the applicant's reply on the timeline; refuse an empty or over-long one and a closed application."""
    application = for_applicant(user, tracking_no)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写回复的内容。"), field="reply")
    if len(text) > MAX_CHARS:
        raise InvalidInput(_("回复最多 %(n)s 个字。", n=MAX_CHARS), field="reply")
    problem = closed_reason(application)
    if problem:
        raise InvalidTransition(problem)
    return states.transition(application, "reply", user, message=text)
