"""One commit per request: a request's changes are committed once, at its end, and only then handed on.

- A request that may write (POST, PUT, PATCH, DELETE) is committed after its view returned, unless an error
  page is being answered (the error handlers roll back) or the view rolled back itself (a refused action).
- A GET never writes: its session is closed unflushed, which ends (rolls back) its read transaction.
- Reads of personal data are still audited: the audit rows are kept aside during the request and written
  afterwards in a short transaction of their own, so a page's read transaction never becomes a write
  transaction (on SQLite two such readers could deadlock).
- What must happen only after a successful commit (handing notifications to the sender in development)
  registers with `after_commit` from its area's `init_app`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, request

from portal.db import WRITE_METHODS, writing
from portal.extensions import db

_AFTER_COMMIT: list[Callable[[], object]] = []


def after_commit(hook: Callable[[], object]) -> None:
    """Run `hook` after each request whose changes were committed (idempotent registration)."""
    if hook not in _AFTER_COMMIT:
        _AFTER_COMMIT.append(hook)


def audit_read(actor, action: str, obj_type: str, obj_id, after: dict | None = None) -> None:
    """Audit a read of personal data without making the request a write transaction."""
    g.setdefault("read_audits", []).append((getattr(actor, "id", None), action, obj_type, str(obj_id), after))


def _write_read_audits() -> None:
    from portal.audit import AuditLog, scrub

    entries = g.pop("read_audits", None)
    if not entries:
        return
    with writing():
        for actor_id, action, obj_type, obj_id, after in entries:
            db.session.add(
                AuditLog(actor_id=actor_id, action=action, object_type=obj_type, object_id=obj_id, after=scrub(after))
            )
        db.session.commit()


def finish(response: Response) -> Response:
    """Commit a writing request's work once; roll back a reading one; then the after-commit hooks."""
    committed = False
    if request.method in WRITE_METHODS and response.status_code < 500:
        try:
            db.session.commit()
            committed = True
        except Exception:
            db.session.rollback()
            current_app.logger.exception("commit failed on %s %s", request.method, request.path)
            from portal.core.errors import render_error

            response = current_app.make_response(render_error(500))
    else:
        db.session.close()
    try:
        _write_read_audits()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("writing read audits failed on %s", request.path)
    if committed:
        for hook in _AFTER_COMMIT:
            try:
                hook()
            except Exception:  # never let a follow-up break the answer
                current_app.logger.exception("after-commit hook %s failed", getattr(hook, "__name__", hook))
    return response


def init_app(app: Flask) -> None:
    # Registered first, so it runs after every other after_request function (Flask runs them in reverse).
    app.after_request(finish)
