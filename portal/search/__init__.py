"""search area of the portal."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import sqlalchemy as sa

    from portal.core import cache
    from portal.search import analyzer, events
    from portal.search.cli import search_cli
    from portal.search.models import IndexEvent
    from portal.search.views import bp

    events.init_app(app)
    app.extensions.setdefault("portal.warm_up", []).append(analyzer.ensure_dictionary)  # before serving
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    cache.generation_source("search.events", lambda: sa.select(sa.func.max(IndexEvent.id)).scalar_subquery())
