"""Who may use the back office: administrators only; an applicant's account may be deactivated, never edited."""

from __future__ import annotations

from portal.core.access import rule


def is_admin(user) -> bool:
    return user is not None and getattr(user, "role", None) == "admin"


@rule("admin.manage")
def _manage(user, _obj=None) -> bool:
    return is_admin(user)


@rule("admin.user.edit")
def _edit_user(user, target) -> bool:
    """Change unit, grant or revoke: any account but an applicant's (theirs are only looked up and deactivated)."""
    return is_admin(user) and target is not None and target.role != "applicant"


@rule("admin.user.deactivate")
def _deactivate(user, target) -> bool:
    """Deactivate or reactivate: any account but one's own (an administrator cannot lock themselves out)."""
    return is_admin(user) and target is not None and target.id != user.id
