"""The one way a form POST runs a service call: say it was done, or roll back and say why.

The commit itself happens once, at the end of the request (portal.core.transaction)."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from portal.errors import PortalError
from portal.extensions import db


def perform(action: Callable[[], object], success: str | None) -> bool:
    """Run `action`; on a domain error roll back and flash its message (404s still answer 404)."""
    try:
        action()
    except PortalError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return False
    if success:
        flash(success, "success")
    return True
