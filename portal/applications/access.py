"""Who may do what with applications on the applicant's side (the staff side is in queues.access)."""

from __future__ import annotations

from portal.core.access import rule


@rule("application.apply")
def _apply(user, _obj=None) -> bool:
    """Only entrepreneurs' accounts fill in applications."""
    return user is not None and user.role == "applicant"


@rule("application.own")
def _own(user, application) -> bool:
    """The applicant sees and acts on their own applications only."""
    return user is not None and application is not None and application.applicant_id == user.id
