"""Alembic environment: migrations run against the portal's own engine and metadata."""

import logging
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    # Only configure logging when run from the command line; never reset the app's or pytest's loggers.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def process_revision_directives(context, revision, directives):
    # An autogenerate run that finds no change writes no empty migration.
    if getattr(config.cmd_opts, "autogenerate", False):
        script = directives[0]
        if script.upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")


def render_item(type_, obj, autogen_context):
    """Store encrypted columns as what they are in the database (text); the encryption is the model's."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        return repr(obj.impl).replace("Text()", "sa.Text()")
    return False


def run_migrations_offline():
    context.configure(url=str(db.engine.url), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's "batch" migrations copy a table, drop the old one and rename the copy: with foreign keys on,
            # dropping the old table would cascade-delete every row that refers to it (attachments, events...).
            # The pragma only takes effect outside a transaction; it is switched back on afterwards.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
