"""The rules administrators keep in the browser: the year's holiday schedule (/admin/calendar) and the routing
rules (/admin/routing: view, try, change through a second administrator's review, history)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.rules import access  # noqa: F401  (registers the area's access rules)
    from portal.rules.states import ROUTING_CHANGE
    from portal.rules.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["change_state"] = ROUTING_CHANGE.label
