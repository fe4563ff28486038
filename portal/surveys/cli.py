"""`flask surveys demo` (sample surveys for a development server) and `flask surveys close-due` (daily, cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.db import writing
from portal.extensions import db


@click.group("surveys", help="需求调查.")
def surveys_cli() -> None:
    pass


@surveys_cli.command("demo")
@with_appcontext
def demo() -> None:
    """Two demo surveys marked 演示数据, one open with demo answers (development only: `make run` calls it)."""
    from portal.surveys.demo import make_demo

    with writing():
        made = make_demo()
        db.session.commit()
    click.echo(f"demo surveys added: {made}" if made else "demo surveys already there")


@surveys_cli.command("close-due")
@with_appcontext
def close_due() -> None:
    """Close the open surveys whose last day has passed (daily, from cron)."""
    from portal.surveys.operations import close_due as run

    with writing():
        closed = run()
        db.session.commit()
    click.echo(f"surveys closed: {closed}")
