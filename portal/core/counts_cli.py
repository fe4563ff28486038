"""`flask counts check [--fix] [--measure M]`: every counter recomputed from its source rows and compared;
`flask counts compact`: shard rows folded and zero cells removed, sums unchanged."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.core import tally
from portal.extensions import db


@click.group("counts")
def counts_cli() -> None:
    """Counters kept with every change (open items per deadline, the dashboard's figures)."""


@counts_cli.command("check")
@click.option("--fix", "repair", is_flag=True, help="Rewrite every measure that differs from its source rows.")
@click.option("--measure", multiple=True, help="Only these measures (default: all).")
@with_appcontext
def check(repair: bool, measure: tuple[str, ...]) -> None:
    """Recompute each counter from the rows it counts; report differences (exit 1), or repair them with --fix."""
    unknown = set(measure) - set(tally.SOURCES)
    if unknown:
        raise click.ClickException(
            f"unknown measure(s): {', '.join(sorted(unknown))}; known: {', '.join(tally.SOURCES)}"
        )
    wrong = 0
    for name in measure or sorted(tally.SOURCES):
        found = tally.differences(name)
        if not found:
            click.echo(f"{name}: ok")
            continue
        wrong += 1
        click.echo(f"{name}: {len(found)} cell(s) differ")
        for (day, county, unit, kind), kept, truth in found[:10]:
            where = f"{day} county={county} unit={unit} kind={kind!r}"
            click.echo(f"  {where}: counted {kept[0]}/{kept[1]}, source {truth[0]}/{truth[1]}")
        if repair:
            tally.fix(name)
            click.echo(f"  {name}: rewritten from the source rows")
    if repair:
        db.session.commit()
    if wrong and not repair:
        raise SystemExit(1)


@counts_cli.command("compact")
@click.option("--measure", multiple=True, help="Only these measures (default: all).")
@with_appcontext
def compact(measure: tuple[str, ...]) -> None:
    """Fold each counter's shard rows into one and delete zero cells (daily, from cron): the sums do not change,
    the rows a page reads stay as few as the live cells."""
    known = {*tally.SOURCES, *(m for (m,) in db.session.execute(sa.select(tally.Tally.measure).distinct()))}
    unknown = set(measure) - known
    if unknown:
        names = ", ".join(sorted(known))
        raise click.ClickException(f"unknown measure(s): {', '.join(sorted(unknown))}; known: {names}")
    for name in measure or sorted(known):
        read, left = tally.compact(name)
        db.session.commit()  # one measure at a time: its rows are locked only for this long
        click.echo(f"{name}: {read} row(s) of folded cells → {left}")
