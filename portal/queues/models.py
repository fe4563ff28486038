"""Queue items (one per unit an application is routed to) and internal notes."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.applications.models import Application
from portal.catalog.models import Unit
from portal.db import Base, utcnow


class QueueItem(Base):
    """An application in one unit's queue, as lead or co-reviewer.

    The application's type, county and state are copied here so that a unit's queue is one index scan,
    even with a million items; `applications.services.transition` keeps `app_state` current.
    """

    __tablename__ = "queue_item"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    role: Mapped[str] = mapped_column(sa.String(12))  # lead, co_review
    status: Mapped[str] = mapped_column(sa.String(12), default="open")  # open, closed, transferred
    app_type: Mapped[str] = mapped_column(sa.String(16))
    app_state: Mapped[str] = mapped_column(sa.String(16))
    county_id: Mapped[int | None] = mapped_column(sa.ForeignKey("county.id"))
    due_date: Mapped[date] = mapped_column(sa.Date)
    paused_since: Mapped[date | None] = mapped_column(sa.Date)
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    from_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    opinion: Mapped[str | None] = mapped_column(sa.String(12))  # agree, disagree (co-review)
    opinion_text: Mapped[str | None] = mapped_column(sa.Text)
    opinion_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    opinion_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    explanation: Mapped[dict | None] = mapped_column(sa.JSON)
    reminded_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)

    application: Mapped[Application] = relationship()
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    from_unit: Mapped[Unit | None] = relationship(foreign_keys=[from_unit_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    opinion_by: Mapped[User | None] = relationship(foreign_keys=[opinion_by_id])

    __table_args__ = (
        # the queue page: a unit's open items by deadline, keyset-paginated on (due_date, id)
        sa.Index("ix_queue_item_unit_page", "unit_id", "status", "due_date", "id"),
        sa.Index("ix_queue_item_unit_state", "unit_id", "app_state", "due_date", "id"),
        # counts per state and each colleague's open load, answered from the index alone
        sa.Index("ix_queue_item_unit_counts", "unit_id", "status", "app_state", "claimed_by_id"),
        # the office's view of every unit's open items by deadline
        sa.Index("ix_queue_item_status_due", "status", "due_date", "id"),
    )


class QueueNote(Base):
    """An internal note on an application, seen only by staff of the units it is routed to."""

    __tablename__ = "queue_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()
