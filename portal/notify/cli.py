"""`flask notify send`: deliver queued messages; `flask notify digest`: the staff's daily digest (cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.notify.services import deliver_pending


@click.group("notify", help="Deliver queued notifications.")
def notify_cli() -> None:
    pass


@notify_cli.command("send")
@click.option("--limit", default=500, show_default=True)
@with_appcontext
def send(limit: int) -> None:
    click.echo(f"sent {deliver_pending(limit)} messages")


@notify_cli.command("digest")
@with_appcontext
def digest() -> None:
    """Write today's digest (inbox; SMS to unit leads) for each staff member with something waiting."""
    from portal.notify.digest import send_digests

    click.echo(f"wrote {send_digests()} digests")
