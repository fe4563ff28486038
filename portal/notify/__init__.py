"""Notifications: an outbox table written in the same transaction as the change, and pluggable senders;
the message centre (站内消息) with its unread count in the header, SMS preferences, and the staff's digest."""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user


def init_app(app: Flask) -> None:
    from portal.notify import access  # noqa: F401  (the area's rules)
    from portal.notify import models as _models  # noqa: F401  (tables)
    from portal.notify.cli import notify_cli
    from portal.notify.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(notify_cli)
    app.context_processor(lambda: {"inbox_unread": _inbox_unread})
    if app.config.get("NOTIFY_DELIVER_INLINE"):
        # Development and tests: hand queued messages to the (logging) sender once the request has committed.
        from portal.core.transaction import after_commit
        from portal.notify.services import deliver_pending

        after_commit(deliver_pending)


def _inbox_unread() -> int:
    """The logged-in user's unread messages (for the header): one indexed count, once per request."""
    if not current_user.is_authenticated:
        return 0
    if "inbox_unread" not in g:
        from portal.notify.inbox import unread_count

        g.inbox_unread = unread_count(current_user.id)
    return g.inbox_unread
