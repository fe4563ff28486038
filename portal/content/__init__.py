"""The content pipeline: reads content/, validates it, and loads it into the database."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import sqlalchemy as sa

    from portal.content.cli import content_cli
    from portal.content.models import RuleSet
    from portal.core import cache

    app.cli.add_command(content_cli)
    cache.generation_source("content.rules", lambda: sa.select(sa.func.max(RuleSet.updated_at)).scalar_subquery())
