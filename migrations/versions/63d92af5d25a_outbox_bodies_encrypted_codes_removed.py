"""outbox bodies encrypted at rest; verification codes already sent removed

Data only: outbox_message.body keeps its TEXT type but now holds Fernet tokens (portal.core.crypto.EncryptedText).
Codes already handed to the sender are replaced by the redaction marker before the rest is encrypted.

Revision ID: 63d92af5d25a
Revises: 5cc47f22439b
Create Date: 2026-11-30 02:04:27

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '63d92af5d25a'
down_revision = '5cc47f22439b'
branch_labels = None
depends_on = None

REDACTED = "[verification code removed after sending]"
outbox = sa.table(
    "outbox_message",
    sa.column("id", sa.Integer),
    sa.column("body", sa.Text),
    sa.column("purpose", sa.String),
    sa.column("sent_at", sa.DateTime),
    sa.column("attempts", sa.Integer),
)


def _rewrite(change):
    connection = op.get_bind()
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.body, outbox.c.purpose, outbox.c.sent_at, outbox.c.attempts)).all()
    for row in rows:
        body = change(row)
        if body != row.body:
            connection.execute(sa.update(outbox).where(outbox.c.id == row.id).values(body=body))


def upgrade():
    from portal.core.crypto import ring

    def encrypt(row):
        body = row.body or ""
        if (row.purpose or "").startswith("code:") and (row.sent_at is not None or (row.attempts or 0) >= 5):
            body = REDACTED
        return ring().encrypt(body)

    _rewrite(encrypt)


def downgrade():
    from portal.core.crypto import ring

    _rewrite(lambda row: ring().decrypt(row.body) if row.body else row.body)
