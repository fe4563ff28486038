"""南阳市返乡创业服务平台: the application factory."""

from __future__ import annotations

import gc
from importlib import import_module
from pathlib import Path

from flask import Flask

from portal.config import build_config

# The domain areas, in the order their init_app runs. Each registers its own blueprints, commands, access
# rules, signal receivers and template helpers; the factory knows nothing else about them.
AREAS = (
    "accounts",
    "notify",
    "catalog",
    "policies",
    "content",
    "search",
    "routing",
    "applications",
    "queues",
    "visits",
    "registry",
    "events",
    "ratings",
    "dashboard",
    "surveys",
    "editorial",
    "rules",
    "admin",
    "ventures",
    "stories",
    "api",
    "home",
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(build_config(app.instance_path))
    if config:
        app.config.update(config)

    from portal import audit  # noqa: F401  (the audit table belongs to no area)
    from portal.core import guard, i18n
    from portal.core import init_app as init_core
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate, trust_proxies

    guard.init_app(app)  # first: hostile input is refused before anything else reads it
    trust_proxies(app)  # the client's real address behind nginx (PORTAL_TRUSTED_PROXIES)
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    login_manager.init_app(app)
    from portal.core import crypto

    crypto.init_app(app)
    _configure_logging(app)
    init_core(app)
    for name in AREAS:
        import_module(f"portal.{name}").init_app(app)
    return app


def settle_for_serving(app: Flask) -> None:
    """Make a process ready to serve: run the areas' warm-ups (`app.extensions["portal.warm_up"]`: search loads
    jieba's dictionary here instead of on the first search each worker answers, 0.4–1.5 s), then move everything
    loaded so far — some 200,000 objects that live as long as the process — out of the cyclic garbage collector's
    way: left in place, every full collection walks them all, a pause of about 100 ms every few hundred requests
    (measured in bench/queues.py, docs/performance.md). Called by wsgi.py (each gunicorn worker) and the benchmarks."""
    for warm_up in app.extensions.get("portal.warm_up", []):
        warm_up()
    gc.collect()
    gc.freeze()


def _configure_logging(app: Flask) -> None:
    import logging

    if not app.testing and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
