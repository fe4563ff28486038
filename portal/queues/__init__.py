"""Staff work queues: claim, decide, ask for material, transfer, co-review, deadlines, export."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.queues import access, counts, digest, intake  # noqa: F401  (access registers the area's rules)
    from portal.queues.cli import queues_cli
    from portal.queues.views import bp

    intake.init_app(app)
    counts.init_app(app)
    app.register_blueprint(bp)
    digest.init_app(app)
    app.cli.add_command(queues_cli)
