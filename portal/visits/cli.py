"""`flask visits demo`: sample visits for a development server."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db


@click.group("visits", help="创业导师乡村行.")
def visits_cli() -> None:
    pass


@visits_cli.command("demo")
@with_appcontext
def demo() -> None:
    """Add a few upcoming confirmed visits marked 示例 (development only: `make run` calls it)."""
    from portal.visits.demo import make_demo_visits

    made = make_demo_visits()
    db.session.commit()
    click.echo(f"sample visits added: {made}" if made else "sample visits already there (or no sample mentors)")
