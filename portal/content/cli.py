"""`flask content load|check`: validate content/ and load it into the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.content.conflicts import ContentConflicts
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
@click.option(
    "--prefer",
    type=click.Choice(["files", "portal"]),
    help="Which side wins for entries changed in the portal since their last load whose files differ.",
)
@with_appcontext
def load(directory: str | None, prune: bool, prefer: str | None) -> None:
    """Validate everything, then upsert by slug in one transaction and print counts."""
    content = _read(directory)
    try:
        counts = apply_content(content, prune=prune, prefer=prefer)
        db.session.commit()
    except ContentConflicts as exc:
        db.session.rollback()
        for conflict in exc.conflicts:
            click.echo(str(conflict), err=True)
        raise click.ClickException(
            _(
                "%(n)s 个条目在网站上改过、与文件不一致，数据库未做任何修改。"
                "请用 --prefer files（以文件为准）或 --prefer portal（保留网站上的版本）再载入一次。",
                n=len(exc.conflicts),
            )
        ) from None
    except Exception:
        db.session.rollback()
        raise

    for kind, counter in counts.items():
        parts = ", ".join(f"{k} {v}" for k, v in sorted(counter.items()))
        click.echo(f"{kind}: {parts}")


@content_cli.command("export")
@click.argument("directory")
@with_appcontext
def export(directory: str) -> None:
    """Write the published database back as content files (the format of content/) into DIRECTORY."""
    from portal.content.export import export as write_files

    counts = write_files(directory)
    click.echo(_("已导出到 %(dir)s：", dir=directory) + ", ".join(f"{k} {v}" for k, v in counts.items()))
