"""applications: personal numbers only encrypted — the phone (and any other sensitive answer) moves from the plain
answers JSON into the encrypted private column; audit before/after values lose plaintext ID and phone numbers

Revision ID: 5b7e2c1d9a40
Revises: 0cf175074a3d
Create Date: 2026-11-30 03:10:00

"""

import json
import re

import sqlalchemy as sa
from alembic import op

from portal.core.crypto import ring

# revision identifiers, used by Alembic.
revision = "5b7e2c1d9a40"
down_revision = "0cf175074a3d"
branch_labels = None
depends_on = None

# What portal/applications/forms.py declares sensitive (kept in `private`, never in `answers`).
SENSITIVE = re.compile(r"^(id_number|phone|uscc|co\d+_id)$")

application = sa.table(
    "application", sa.column("id", sa.Integer), sa.column("answers", sa.JSON), sa.column("private", sa.Text)
)
audit_log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("before", sa.JSON), sa.column("after", sa.JSON))


ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def scrub(value):
    """As portal.audit.scrub at this revision: personal numbers in audit values masked."""
    if isinstance(value, str):
        value = ID_NUMBER.sub(lambda m: m.group(0)[:4] + "*" * 10 + m.group(0)[-4:], value)
        return MOBILE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def upgrade():
    conn = op.get_bind()
    keys = ring()
    for row_id, answers, private in conn.execute(sa.select(application.c.id, application.c.answers, application.c.private)):
        answers = answers if isinstance(answers, dict) else json.loads(answers or "{}")
        moving = {k: v for k, v in answers.items() if SENSITIVE.match(k)}
        if not moving:
            continue
        secret = json.loads(keys.decrypt(private)) if private else {}
        secret = {**moving, **(secret or {})}
        plain = {k: v for k, v in answers.items() if k not in moving}
        conn.execute(
            sa.update(application)
            .where(application.c.id == row_id)
            .values(answers=plain, private=keys.encrypt(json.dumps(secret, ensure_ascii=False)))
        )
    # Audit rows keep who did what; a personal number that slipped into their values is masked.
    for row_id, before, after in conn.execute(sa.select(audit_log.c.id, audit_log.c.before, audit_log.c.after)):
        clean_before, clean_after = scrub(before), scrub(after)
        if (clean_before, clean_after) != (before, after):
            conn.execute(
                sa.update(audit_log).where(audit_log.c.id == row_id).values(before=clean_before, after=clean_after)
            )


def downgrade():
    # The phone stays encrypted in `private`, where the application reads it from; nothing to undo.
    pass
