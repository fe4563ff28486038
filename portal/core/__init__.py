"""What every page shares and no area owns: transactions, access rules, errors, locale, headers, page cache.

The core imports no domain area; areas plug into it (labels, cacheable pages, access rules) from their own
`init_app`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core import access, cache, errors, i18n, tally, transaction, web  # noqa: F401  (tally: its table)
    from portal.core.counts_cli import counts_cli
    from portal.core.keys_cli import keys_cli
    from portal.core.views import bp

    transaction.init_app(app)  # first: its after_request runs last
    access.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    cache.init_app(app)
    errors.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(keys_cli)
    app.cli.add_command(counts_cli)
