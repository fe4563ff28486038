"""`flask ventures demo`: sample projects for a development server."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.db import writing
from portal.extensions import db


@click.group("ventures", help="项目展示: projects looking for support.")
def ventures_cli() -> None:
    pass


@ventures_cli.command("demo")
@with_appcontext
def demo() -> None:
    """Add a few published sample projects (示例数据), a shortlist and a recommendation to the fund, once
    (development only: `make run` calls it)."""
    from portal.ventures.demo import make_demo

    with writing():
        made = make_demo()
        db.session.commit()
    click.echo(f"sample projects added: {made}" if made else "sample projects already there")
