"""Telling a survey's audience that it is open: one message in each member's message centre (no SMS: a survey is
an invitation, not a notice they must act on). Texts: templates/surveys/notify/."""

from __future__ import annotations

from portal.notify import messages
from portal.notify import services as notify
from portal.surveys.models import Survey

TEMPLATE = "surveys/notify/opened.txt"


def opened(survey: Survey, user_ids: list[int]) -> None:
    texts = messages.render(TEMPLATE, survey=survey)
    for user_id in user_ids:
        message = notify.inbox(user_id, texts["subject"][:200], texts["body"], f"/surveys/{survey.id}")
        message.kind = TEMPLATE
