"""`flask search reindex|sync`: rebuild the index from the database, or apply pending changes."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.search import documents, index


@click.group("search", help="Maintain this server's search index.")
def search_cli() -> None:
    pass


@search_cli.command("reindex")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def reindex(quiet: bool) -> None:
    """Rebuild the index from the database into a new directory and swap it in atomically."""
    store = index.for_app(current_app)
    total = documents.count_all()
    if quiet:
        directory = store.rebuild()
    else:
        with click.progressbar(length=total, label="Indexing") as bar:
            directory = store.rebuild(progress=bar.update)
    click.echo(f"indexed {total} documents into {directory}")


@search_cli.command("sync")
@with_appcontext
def sync() -> None:
    """Apply the changes recorded since this index last synced."""
    applied = index.for_app(current_app).sync()
    click.echo(f"applied {applied} index events")
