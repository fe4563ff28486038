"""Online applications: training, mentoring and guarantee loans, from draft to decision."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.applications import access, notifications, queries, states  # noqa: F401  (access: the rules)
    from portal.applications.cli import applications_cli, files_cli
    from portal.applications.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(applications_cli)
    app.cli.add_command(files_cli)
    notifications.init_app(app)
    app.jinja_env.globals.update(
        state_label=lambda code: str(states.STATES.get(code, code or "")),
        action_label=lambda code: str(states.ACTIONS.get(code, code or "")),
        promise_overdue=queries.promise_overdue,
    )
