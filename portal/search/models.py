"""Index events: every change to a searchable record, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow


class IndexEvent(Base):
    """Each server's search index applies these in id order after the last one it applied."""

    __tablename__ = "index_event"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    slug: Mapped[str] = mapped_column(sa.String(80))
    op: Mapped[str] = mapped_column(sa.String(8))  # "upsert" or "delete"
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
