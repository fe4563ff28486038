"""tally: open items also counted by the deadline's ten-day period (旬) and month, so that "overdue" sums few cells

Data only: the new cells are summed from the existing per-deadline cells (which `flask counts check` compares with
the items), so no item is read.

Revision ID: d8ea37fada73
Revises: e254f221edb7
Create Date: 2026-11-30 12:10:00

"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = 'd8ea37fada73'
down_revision = 'e254f221edb7'
branch_labels = None
depends_on = None

tally = sa.table(
    "tally",
    sa.column("measure", sa.String),
    sa.column("day", sa.Date),
    sa.column("county_id", sa.Integer),
    sa.column("unit_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("shard", sa.SmallInteger),
    sa.column("n", sa.BigInteger),
    sa.column("amount", sa.Numeric(18, 2)),
)
BUCKETS = {
    "open_items_dekad": lambda day: day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21),
    "open_items_month": lambda day: day.replace(day=1),
}


def upgrade():
    conn = op.get_bind()
    cells = conn.execute(
        sa.select(tally.c.day, tally.c.unit_id, tally.c.kind, sa.func.sum(tally.c.n))
        .where(tally.c.measure == "open_items")
        .group_by(tally.c.day, tally.c.unit_id, tally.c.kind)
    ).all()
    for measure, bucket in BUCKETS.items():
        sums = defaultdict(int)
        for day, unit_id, kind, n in cells:
            sums[(bucket(day), unit_id, kind)] += int(n or 0)
        rows = [
            {"measure": measure, "day": day, "county_id": 0, "unit_id": unit_id, "kind": kind, "shard": 0, "n": n,
             "amount": 0}
            for (day, unit_id, kind), n in sums.items()
            if n
        ]
        if rows:
            op.bulk_insert(tally, rows)


def downgrade():
    op.execute(tally.delete().where(tally.c.measure.in_(list(BUCKETS))))
