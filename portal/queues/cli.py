"""`flask queues remind`: overdue notices to the units (cron-able)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.db import writing
from portal.extensions import db
from portal.queues import notifications, queries


@click.group("queues", help="Work queue maintenance.")
def queues_cli() -> None:
    pass


@queues_cli.command("remind")
@with_appcontext
def remind() -> None:
    with writing():
        count = notifications.remind_overdue()
        db.session.commit()
    click.echo(f"reminded units of {count} overdue items")
    years = queries.calendar_warning()
    if years:
        click.echo(f"warning: no holiday schedule for {years}; counting weekends only (enter it at /admin/calendar)")
