"""Policy guides (政策指南)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core import cache
    from portal.policies.views import bp

    app.register_blueprint(bp)
    cache.cacheable(blueprint="policies")
    cache.listing_resolver(_listing_of)


def _listing_of(endpoint: str, _view_args: dict):
    from portal.policies import services

    return services.LISTING if endpoint == "policies.index" else None
