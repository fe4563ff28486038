"""The one way a form POST runs a service call: say it was done, or roll back and say why.

The commit itself happens once, at the end of the request (portal.core.transaction).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from portal.errors import PortalError
from portal.extensions import db


def perform(action: Callable[[], object], success: str | Callable[[object], str] | None, form=None) -> bool:
    """Run `action`; on a domain error roll back and say why (404s still answer 404).

    With a `form`, an error that names fields (`exc.errors`: field -> message) is shown at those fields;
    any other is flashed. `success` may be a function of the action's result.
    """
    try:
        result = action()
    except PortalError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        field_errors = getattr(exc, "errors", None)
        if form is not None and field_errors:
            for name, message in field_errors.items():
                form[name].errors = [message]
        else:
            flash(exc.message, "error")
        return False
    message = success(result) if callable(success) else success
    if message:
        flash(message, "success")
    return True
