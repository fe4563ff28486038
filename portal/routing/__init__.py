"""Routing: which unit leads an application and which units co-review it, from content/routing.yaml."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.routing.cli import routing_cli

    app.cli.add_command(routing_cli)
