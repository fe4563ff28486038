"""`flask events remind` (daily, from cron: the SMS the day before) and `flask events demo` (development)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.db import writing
from portal.extensions import db


@click.group("events", help="活动: reminders and demo events.")
def events_cli() -> None:
    pass


@events_cli.command("remind")
@with_appcontext
def remind() -> None:
    """Queue an SMS to everyone with a seat at an event starting tomorrow (Beijing time); once per registration,
    so running it again the same day sends nothing new. Run daily from cron (e.g. at 09:00), then `notify send`."""
    from portal.events.operations import remind_tomorrow

    with writing():
        count = remind_tomorrow()
        db.session.commit()
    click.echo(f"reminded {count} registrations of tomorrow's events")


@events_cli.command("demo")
@with_appcontext
def demo() -> None:
    """Add a few sample events marked 示例 (development only: `make run` calls it); once."""
    from portal.events.demo import make_demo_events

    with writing():
        made = make_demo_events()
        db.session.commit()
    click.echo(f"sample events added: {made}" if made else "sample events already there")
