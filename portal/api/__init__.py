"""The open-data JSON API (/api/v1)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.api.views import bp
    from portal.core import cache

    app.register_blueprint(bp)
    for endpoint in ("api.list_items", "api.show_item", "api.openapi"):
        cache.cacheable(endpoint=endpoint)
