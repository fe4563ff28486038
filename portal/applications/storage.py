"""Where attachment bytes live: a small interface (put, get, delete, keys) and its default, the database.

The default keeps the bytes in the `stored_blob` table, in the caller's transaction: an upload is stored if
and only if the request that carries it commits, on SQLite and PostgreSQL alike, and every app server behind
the load balancer reads the same bytes. Another backend (an object store) would implement the same methods
and be named by the `STORAGE_BACKEND` setting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import sqlalchemy as sa
from flask import current_app

from portal.applications.models import StoredBlob
from portal.extensions import db


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> Iterator[str]: ...


class DatabaseStorage:
    """Bytes in the database, added to (and removed from) the current session: one transaction with the rows."""

    def put(self, key: str, data: bytes) -> None:
        db.session.add(StoredBlob(key=key, data=data))

    def get(self, key: str) -> bytes | None:
        return db.session.scalar(sa.select(StoredBlob.data).where(StoredBlob.key == key))

    def delete(self, key: str) -> None:
        db.session.execute(
            sa.delete(StoredBlob).where(StoredBlob.key == key).execution_options(synchronize_session=False)
        )

    def keys(self) -> Iterator[str]:
        yield from db.session.scalars(sa.select(StoredBlob.key).order_by(StoredBlob.key))


BACKENDS: dict[str, type] = {"database": DatabaseStorage}


def storage() -> Storage:
    return BACKENDS[current_app.config.get("STORAGE_BACKEND", "database")]()
