"""`flask stories demo`: sample stories for a development server."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.db import writing
from portal.extensions import db


@click.group("stories", help="先进典型: success stories.")
def stories_cli() -> None:
    pass


@stories_cli.command("demo")
@with_appcontext
def demo() -> None:
    """Add a few published sample stories (示例数据), each with a sample consent and a drawn photo, once
    (development only: `make run` calls it)."""
    from portal.stories.demo import make_demo

    with writing():
        made = make_demo()
        db.session.commit()
    click.echo(f"sample stories added: {made}" if made else "sample stories already there")
