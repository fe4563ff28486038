"""Declarative base, naming convention for constraints, and mixins shared by the models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names make migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - driver specific
    """SQLite: enforce foreign keys, wait for locks, and let SQLAlchemy own transactions.

    pysqlite's own transaction handling breaks SAVEPOINT and BEGIN IMMEDIATE; the documented
    recipe is to turn it off and emit BEGIN ourselves (see the "begin" listener below).
    """
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@contextmanager
def writing() -> Iterator[None]:
    """Mark work outside a web request (CLI, workers, tests) as a writing transaction."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def _wants_write() -> bool:
    if _write_intent.get():
        return True
    from flask import has_request_context, request

    return has_request_context() and request.method in WRITE_METHODS


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):  # pragma: no cover - driver specific
    """SQLite: a request that writes takes the write lock when its transaction starts (BEGIN IMMEDIATE).

    Otherwise two transactions that both read, then both write, deadlock and one fails at once with
    "database is locked". Reads (GET) keep the cheap deferred BEGIN. PostgreSQL needs none of this.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write() else "BEGIN")
