"""南阳市返乡创业服务平台: the application factory."""

from __future__ import annotations

from flask import Flask

from portal.config import build_config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(build_config(app.instance_path))
    if config:
        app.config.update(config)

    from portal.core import cache, crypto, errors, i18n, web
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate, trust_proxies

    trust_proxies(app)  # the client's real address behind nginx (PORTAL_TRUSTED_PROXIES)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)
    crypto.init_app(app)

    _import_models()
    _configure_login(app)
    _configure_logging(app)
    i18n.init_app(app)
    web.init_app(app)
    cache.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _import_models() -> None:
    """Import every model module so that metadata (and Alembic) sees all tables."""
    from portal import audit as _audit  # noqa: F401
    from portal.accounts import models as _accounts  # noqa: F401
    from portal.applications import models as _applications  # noqa: F401
    from portal.catalog import models as _catalog  # noqa: F401
    from portal.content import models as _content  # noqa: F401
    from portal.notify import models as _notify  # noqa: F401
    from portal.policies import models as _policies  # noqa: F401
    from portal.queues import models as _queues  # noqa: F401
    from portal.queues import services as _queue_hooks  # noqa: F401  (routing runs in the submit transaction)
    from portal.search import events as _search_events  # noqa: F401
    from portal.search import models as _search  # noqa: F401
    from portal.visits import models as _visits  # noqa: F401


def _configure_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.services import load_session_user
    from portal.extensions import login_manager

    login_manager.user_loader(load_session_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    if app.config.get("NOTIFY_DELIVER_INLINE"):
        # Development and tests: hand queued messages to the (logging) sender right after each request.
        from portal.notify.services import deliver_pending

        @app.after_request
        def deliver(response):
            try:
                deliver_pending()
            except Exception:  # never let delivery break the page
                app.logger.exception("delivering notifications failed")
            return response


def _configure_logging(app: Flask) -> None:
    import logging

    if not app.testing and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _register_blueprints(app: Flask) -> None:
    from portal.accounts.views import bp as accounts_bp
    from portal.api.views import bp as api_bp
    from portal.applications.views import bp as applications_bp
    from portal.catalog.views import bp as catalog_bp
    from portal.core.views import bp as core_bp
    from portal.policies.views import bp as policies_bp
    from portal.queues.views import bp as queues_bp
    from portal.search.views import bp as search_bp
    from portal.visits.views import bp as visits_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(policies_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(queues_bp)
    app.register_blueprint(visits_bp)


def _register_cli(app: Flask) -> None:
    from portal.accounts.cli import users_cli
    from portal.content.cli import content_cli
    from portal.core.keys_cli import keys_cli
    from portal.notify.cli import notify_cli
    from portal.queues.cli import queues_cli
    from portal.routing.cli import routing_cli
    from portal.search.cli import search_cli

    app.cli.add_command(content_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(queues_cli)
    app.cli.add_command(routing_cli)
    app.cli.add_command(keys_cli)
