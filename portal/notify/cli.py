"""`flask notify send`: deliver queued messages; `purge`: delete old ones; `digest`: the staff's daily digest
(all from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.notify.services import deliver_pending, purge


@click.group("notify", help="Deliver queued notifications, delete old ones.")
def notify_cli() -> None:
    pass


@notify_cli.command("send")
@click.option("--limit", default=500, show_default=True)
@with_appcontext
def send(limit: int) -> None:
    click.echo(f"sent {deliver_pending(limit)} messages")


@notify_cli.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    help="keep this many days (default: NOTIFY_OUTBOX_RETENTION_DAYS, env PORTAL_OUTBOX_RETENTION_DAYS)",
)
@with_appcontext
def purge_command(days: int | None) -> None:
    """Delete outbox rows older than the retention (daily, from cron)."""
    if days is None:
        days = int(current_app.config["NOTIFY_OUTBOX_RETENTION_DAYS"])
    deleted = purge(days)
    db.session.commit()
    click.echo(f"deleted {deleted} outbox messages older than {days} days")


@notify_cli.command("digest")
@with_appcontext
def digest() -> None:
    """Write today's digest (inbox; SMS to unit leads) for each staff member with something waiting."""
    from portal.notify.digest import send_digests

    click.echo(f"wrote {send_digests()} digests")
