"""The back office for administrators (/admin/): accounts and roles, the full-personal-data grants, units, and
the audit log. Everyone but an administrator gets 404."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.admin import access, unit_views  # noqa: F401  (access registers the rules; unit_views adds pages)
    from portal.admin.views import bp

    app.register_blueprint(bp)
