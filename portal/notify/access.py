"""Who may see what in the message centre: one's own messages only."""

from __future__ import annotations

from portal.core.access import rule


@rule("inbox.own")
def _own(user, message) -> bool:
    return user is not None and message is not None and message.user_id == user.id


@rule("inbox.use")
def _use(user, _obj=None) -> bool:
    """Every logged-in role has a message centre."""
    return user is not None
