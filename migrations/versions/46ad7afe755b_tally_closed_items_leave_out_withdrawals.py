"""tally: closed items (the office overview's 已办结 and average days) leave out items closed by the applicant's
withdrawal — a withdrawal is not the unit's 办结; the cells are rebuilt from the items as `flask counts check --fix`
would (month closed in Beijing time, days from arrival to closing)

Revision ID: 46ad7afe755b
Revises: d8ea37fada73
Create Date: 2026-11-30 12:45:00

"""
from collections import defaultdict
from datetime import UTC
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = '46ad7afe755b'
down_revision = 'd8ea37fada73'
branch_labels = None
depends_on = None

BEIJING = ZoneInfo("Asia/Shanghai")  # frozen here: a migration does not import the portal
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
items = sa.table(
    "queue_item",
    sa.column("unit_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("app_state", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("closed_at", sa.DateTime(timezone=True)),
)


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _rebuild(leave_out_withdrawn: bool) -> None:
    conn = op.get_bind()
    stmt = sa.select(items.c.unit_id, items.c.created_at, items.c.closed_at).where(
        items.c.status == "closed", items.c.closed_at.is_not(None)
    )
    if leave_out_withdrawn:
        stmt = stmt.where(items.c.app_state != "withdrawn")
    cells = defaultdict(lambda: [0, Decimal(0)])
    for unit_id, created, closed in conn.execute(stmt.execution_options(yield_per=5000)):
        created, closed = _aware(created), _aware(closed)
        month = closed.astimezone(BEIJING).date().replace(day=1)
        cells[(month, unit_id)][0] += 1
        cells[(month, unit_id)][1] += Decimal(round((closed - created).total_seconds() / 86400, 2))
    conn.execute(tally.delete().where(tally.c.measure == "closed_items"))
    rows = [
        {"measure": "closed_items", "day": month, "county_id": 0, "unit_id": unit_id, "kind": "", "shard": 0,
         "n": n, "amount": amount}
        for (month, unit_id), (n, amount) in cells.items()
        if n or amount
    ]
    if rows:
        op.bulk_insert(tally, rows)


def upgrade():
    _rebuild(leave_out_withdrawn=True)


def downgrade():
    _rebuild(leave_out_withdrawn=False)
