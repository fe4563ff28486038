"""创业导师乡村行: mentors book visits to townships, parks and enterprises; entrepreneurs sign up."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.visits import access, states  # noqa: F401  (access registers the area's rules)
    from portal.visits.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["visit_status"] = states.VISIT.label
