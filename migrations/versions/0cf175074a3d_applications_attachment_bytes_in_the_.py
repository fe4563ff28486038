"""applications: attachment bytes in the database (stored_blob); existing files under PORTAL_DATA_DIR/uploads move in

Revision ID: 0cf175074a3d
Revises: 03c39006253b
Create Date: 2026-11-30 02:23:49.019975

"""

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0cf175074a3d"
down_revision = "03c39006253b"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

attachment = sa.table("attachment", sa.column("stored_name", sa.String))
blob = sa.table(
    "stored_blob", sa.column("key", sa.String), sa.column("data", sa.LargeBinary), sa.column("created_at", sa.DateTime)
)


def _upload_path(stored_name: str) -> Path:
    # Where portal/applications/uploads.py kept files before this revision: two levels of fan-out.
    return Path(current_app.config["PORTAL_DATA_DIR"]) / "uploads" / stored_name[:2] / stored_name


def upgrade():
    op.create_table(
        "stored_blob",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_blob")),
    )
    # Move the bytes of every attachment in; the files stay on disk until `flask files check` has passed
    # (then PORTAL_DATA_DIR/uploads can be deleted). A missing file is reported here and by `files check`.
    conn = op.get_bind()
    moved = missing = 0
    for (stored_name,) in conn.execute(sa.select(attachment.c.stored_name)):
        path = _upload_path(stored_name)
        if not path.is_file():
            missing += 1
            log.warning("attachment file missing, not moved: %s", path)
            continue
        conn.execute(sa.insert(blob).values(key=stored_name, data=path.read_bytes(), created_at=datetime.now(UTC)))
        moved += 1
    if moved or missing:
        log.info("moved %d attachment files into stored_blob (%d missing)", moved, missing)


def downgrade():
    conn = op.get_bind()
    for key, data in conn.execute(sa.select(blob.c.key, blob.c.data)):
        path = _upload_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    op.drop_table("stored_blob")
