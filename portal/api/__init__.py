"""The open-data JSON API (/api/v1)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.api.views import bp
    from portal.core import cache

    app.register_blueprint(bp)
    for endpoint in ("api.list_items", "api.show_item", "api.openapi"):
        cache.cacheable(endpoint=endpoint)
    cache.listing_resolver(_listing_of)


def _listing_of(endpoint: str, view_args: dict):
    """The listing an API list reads its filters from (for the page cache's keys)."""
    from portal.api.views import listing_or_none

    return listing_or_none(view_args.get("kind")) if endpoint == "api.list_items" else None
