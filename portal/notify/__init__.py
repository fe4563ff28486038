"""Notifications: an outbox table written in the same transaction as the change, and pluggable senders."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.notify import models as _models  # noqa: F401  (tables)
    from portal.notify.cli import notify_cli

    app.cli.add_command(notify_cli)
    if app.config.get("NOTIFY_DELIVER_INLINE"):
        # Development and tests: hand queued messages to the (logging) sender once the request has committed.
        from portal.core.transaction import after_commit
        from portal.notify.services import deliver_pending

        after_commit(deliver_pending)
