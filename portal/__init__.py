"""南阳市返乡创业服务平台: the application factory."""

from __future__ import annotations

from flask import Flask

from portal.config import build_config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(build_config(app.instance_path))
    if config:
        app.config.update(config)

    from portal.core import errors, i18n, web
    from portal.extensions import babel, csrf, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)

    _import_models()
    i18n.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _import_models() -> None:
    """Import every model module so that metadata (and Alembic) sees all tables."""
    from portal.catalog import models as _catalog  # noqa: F401
    from portal.policies import models as _policies  # noqa: F401
    from portal.search import events as _search_events  # noqa: F401
    from portal.search import models as _search  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from portal.api.views import bp as api_bp
    from portal.catalog.views import bp as catalog_bp
    from portal.core.views import bp as core_bp
    from portal.policies.views import bp as policies_bp
    from portal.search.views import bp as search_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(policies_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(search_bp)


def _register_cli(app: Flask) -> None:
    from portal.content.cli import content_cli
    from portal.search.cli import search_cli

    app.cli.add_command(content_cli)
    app.cli.add_command(search_cli)
