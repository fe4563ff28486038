"""`flask keys rotate`: a new data key, every encrypted value re-encrypted with it, the old key dropped."""

from __future__ import annotations

import os

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from portal.core import crypto
from portal.db import writing
from portal.extensions import db


def encrypted_columns() -> list[sa.Column]:
    """Every column whose type encrypts (found from the models, so a new one is never forgotten)."""
    columns = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, crypto.EncryptedText | crypto.EncryptedJSON):
                columns.append(column)
    return columns


def reencrypt() -> int:
    """Re-encrypt every stored value with the newest key. Reads and writes the ciphertext as plain text."""
    ring = crypto.ring()
    count = 0
    for column in encrypted_columns():
        table = column.table
        key = next(iter(table.primary_key.columns))
        rows = db.session.execute(sa.select(key, sa.type_coerce(column, sa.Text)).where(column.is_not(None))).all()
        for row_id, token in rows:
            db.session.execute(
                sa.update(table).where(key == row_id).values({column.name: sa.type_coerce(ring.rotate(token), sa.Text)})
            )
            count += 1
    return count


@click.group("keys", help="Manage the keys that encrypt personal data.")
def keys_cli() -> None:
    pass


@keys_cli.command("rotate")
@with_appcontext
def rotate() -> None:
    """Add a new key, re-encrypt all personal data with it in one transaction, then drop the old keys."""
    if os.environ.get("PORTAL_DATA_KEYS"):
        raise click.ClickException(
            "Keys come from PORTAL_DATA_KEYS: put a new key first (Fernet.generate_key()), keep the old ones after it, "
            "run `flask keys reencrypt` on one server, then remove the old keys from the variable."
        )
    instance = current_app.instance_path
    crypto.add_key(instance)
    crypto.set_ring(crypto.load_keyring(instance))
    with writing():
        count = reencrypt()
        db.session.commit()
    crypto.drop_old_keys(instance)
    crypto.set_ring(crypto.load_keyring(instance))
    click.echo(f"re-encrypted {count} values with the new key; old keys removed")


@keys_cli.command("reencrypt")
@with_appcontext
def reencrypt_command() -> None:
    """Re-encrypt everything with the first key of PORTAL_DATA_KEYS (or of instance/data_keys)."""
    with writing():
        count = reencrypt()
        db.session.commit()
    click.echo(f"re-encrypted {count} values")
