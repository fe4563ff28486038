"""Who keeps the rules: administrators only (everyone else gets 404); a routing change is published or
rejected by an administrator other than its author, and withdrawn only by its author."""

from __future__ import annotations

from portal.core.access import rule


def is_admin(user) -> bool:
    return user is not None and getattr(user, "role", None) == "admin"


@rule("rules.admin")
def _admin(user, _obj=None) -> bool:
    return is_admin(user)


@rule("routing_change.review")
def _review(user, change) -> bool:
    return is_admin(user) and change is not None and change.author_id != user.id


@rule("routing_change.withdraw")
def _withdraw(user, change) -> bool:
    return is_admin(user) and change is not None and change.author_id == user.id
