"""`flask dashboard demo`: a simulated year of activity for a development database (make run calls it)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db


@click.group("dashboard")
def dashboard_cli() -> None:
    """The leading group's dashboard."""


@dashboard_cli.command("demo")
@click.option("--allow-production", is_flag=True, help="Also on a database other than SQLite (never in production).")
@with_appcontext
def demo(allow_production: bool) -> None:
    """Fill the database with a simulated year of activity, marked as demo data everywhere it shows."""
    from portal.dashboard.demo import make_year

    if db.engine.dialect.name != "sqlite" and not allow_production:
        raise click.ClickException(
            "demo activity is for the development database (SQLite); this is "
            f"{db.engine.dialect.name}. Add --allow-production only if you are sure it is not production."
        )
    made = make_year()
    db.session.commit()
    if not made:
        click.echo("demo activity already there: nothing added")
        return
    click.echo("demo activity added (marked 演示数据): " + ", ".join(f"{k} {v}" for k, v in made.items()))
