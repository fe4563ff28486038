"""Online applications: training, mentoring and guarantee loans, from draft to decision."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.applications import access, notifications, queries, states  # noqa: F401  (access: the rules)
    from portal.applications.cli import applications_cli, files_cli
    from portal.applications.views import bp
    from portal.core import panels

    app.register_blueprint(bp)
    app.cli.add_command(applications_cli)
    app.cli.add_command(files_cli)
    notifications.init_app(app)
    panels.register("inbox.message", _reply_panel)
    app.jinja_env.globals.update(
        state_label=lambda code: str(states.STATES.get(code, code or "")),
        action_label=lambda code: str(states.ACTIONS.get(code, code or "")),
        promise_overdue=queries.promise_overdue,
    )


def _reply_panel(message, user):
    """On a message about one's application (补正, message, decision): the form to reply to it."""
    from portal.applications import replies
    from portal.applications.models import Application
    from portal.core.access import can
    from portal.extensions import db

    prefix = "/my/applications/"
    if message.kind not in replies.ANSWERABLE or not (message.link or "").startswith(prefix):
        return None
    tracking_no = message.link[len(prefix) :].split("/", 1)[0]
    application = db.session.scalar(db.select(Application).where(Application.tracking_no == tracking_no))
    if application is None or not can(user, "application.own", application):
        return None
    return "applications/_reply.html", {
        "application": application,
        "from_message": message.id,
        "closed": replies.closed_reason(application),
    }
