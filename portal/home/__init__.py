"""The home page, which shows what other areas publish (it owns no data)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core import cache
    from portal.home.views import bp

    app.register_blueprint(bp)
    cache.cacheable(endpoint="home.index")
