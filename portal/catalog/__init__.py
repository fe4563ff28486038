"""The public catalog: counties, units, incubation bases, demonstration parks and projects, mentors."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import sqlalchemy as sa

    from portal.catalog import vocab
    from portal.catalog.models import Unit
    from portal.catalog.views import bp
    from portal.core import cache

    app.register_blueprint(bp)
    cache.cacheable(blueprint="catalog")
    cache.listing_resolver(_listing_of)
    cache.generation_source("catalog.units", lambda: sa.select(sa.func.max(Unit.updated_at)).scalar_subquery())
    app.jinja_env.globals["vocab_label"] = lambda table, code: vocab.label(getattr(vocab, table), code)


def _listing_of(endpoint: str, view_args: dict):
    """The listing a catalog list page filters by (for the page cache's keys)."""
    from portal.catalog import services

    blueprint, _dot, view = endpoint.partition(".")
    if blueprint == "catalog" and view.endswith("_list"):
        return services.LISTINGS.get(view.removesuffix("_list"))
    return None
