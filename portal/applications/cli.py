"""`flask applications purge-drafts` (cron) and `flask files check`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.applications import maintenance
from portal.db import writing
from portal.extensions import db


@click.group("applications", help="Application maintenance.")
def applications_cli() -> None:
    pass


@applications_cli.command("purge-drafts")
@click.option("--days", type=int, help="delete drafts unchanged for this many days (default: DRAFT_EXPIRY_DAYS)")
@with_appcontext
def purge_drafts(days: int | None) -> None:
    days = current_app.config["DRAFT_EXPIRY_DAYS"] if days is None else days
    with writing():
        count = maintenance.purge_drafts(days)
        db.session.commit()
    click.echo(f"deleted {count} drafts unchanged for {days} days")


@click.group("files", help="Stored attachment bytes.")
def files_cli() -> None:
    pass


@files_cli.command("check")
@with_appcontext
def check() -> None:
    """Report attachments without bytes, bytes without attachment, size or sha256 mismatches; exit 1 on any."""
    problems = maintenance.check_files()
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise click.ClickException(f"{len(problems)} problems in stored files")
    click.echo("files ok")
