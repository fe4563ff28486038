"""Content editing (内容编辑): editors draft changes to bases, parks, projects, mentors and policy guides; a second
editor, never the author, publishes them. Every published version is kept, with a diff and a reviewed restore."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.editorial import access, states  # noqa: F401  (access registers the area's rules)
    from portal.editorial import models as _models  # noqa: F401  (tables)
    from portal.editorial.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["change_status"] = states.CHANGE.label
