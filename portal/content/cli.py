"""`flask content load|check`: validate content/ and load it into the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.content.loader import apply_content, read_content
from portal.extensions import db


@click.group("content", help="Validate and load the portal's content files.")
def content_cli() -> None:
    pass


def _read(directory: str | None):
    directory = directory or current_app.config["CONTENT_DIR"]
    content = read_content(directory)
    if content.problems:
        for problem in content.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(_("内容有 %(n)s 处问题，数据库未做任何修改。", n=len(content.problems)))
    return content


@content_cli.command("check")
@click.argument("directory", required=False)
@with_appcontext
def check(directory: str | None) -> None:
    """Validate content files without touching the database."""
    content = _read(directory)
    click.echo(_("内容检查通过：%(n)s 个条目。", n=sum(len(v) for v in content.kinds.values())))


@content_cli.command("load")
@click.argument("directory", required=False)
@click.option("--prune", is_flag=True, help="Also delete published entries that the files no longer list.")
@with_appcontext
def load(directory: str | None, prune: bool) -> None:
    """Validate everything, then upsert by slug in one transaction and print counts."""
    content = _read(directory)
    try:
        counts = apply_content(content, prune=prune)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for kind, counter in counts.items():
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))
        click.echo(f"{kind}: {parts}")
