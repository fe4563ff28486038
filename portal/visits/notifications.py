"""Telling people about 创业导师乡村行: those signed up when a visit moves or is cancelled, the mentor when the
county 人社局 decides, an entrepreneur when they sign up or move up from the waiting list.

Texts: templates/visits/notify/. Links are site paths (notifications are also written outside requests).
What a mentoring applicant is told about an offered seat is the applications area's (the offer is a move of
the application: applications.notifications).
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import db
from portal.notify import messages
from portal.visits.models import Visit, VisitSignup
from portal.visits.queries import short_when
from portal.visits.states import SEATED, WAITING


def _tell(template: str, user: User, link: str | None, **context) -> None:
    messages.tell(
        f"visits/notify/{template}.txt", user_id=user.id, phone=user.phone, purpose="visit", link=link, **context
    )


def signed_up_changed(visit: Visit, template: str) -> None:
    """`moved` or `cancelled`: everyone with a seat or on the waiting list."""
    link = f"/visits/{visit.id}"
    for signup in visit.signups:
        if signup.status in (SEATED, WAITING):
            _tell(template, signup.user, link, when=short_when(visit))


def mentor_decision(visit: Visit, confirmed: bool) -> None:
    mentor_user = db.session.scalar(sa.select(User).where(User.mentor_id == visit.mentor_id))
    if mentor_user is not None:
        messages.tell(
            f"visits/notify/{'confirmed' if confirmed else 'declined'}.txt",
            user_id=mentor_user.id,
            phone=mentor_user.phone,
            purpose="visit",
            link="/mentor/visits",
            body=visit.decision_note,
            when=short_when(visit),
        )


def signed_up(signup: VisitSignup) -> None:
    """An SMS only (the templates have no subject, so no inbox message): the sign-up shows on the visit's page."""
    template = "signed_up" if signup.status == SEATED else "waiting"
    _tell(template, signup.user, None, when=short_when(signup.visit))


def promoted(signup: VisitSignup, reason: str) -> None:
    """`reason`: "withdrawal" (someone left) or "capacity" (the mentor made room)."""
    _tell(
        "promoted",
        signup.user,
        f"/visits/{signup.visit_id}",
        when=short_when(signup.visit),
        reason=reason,
    )
