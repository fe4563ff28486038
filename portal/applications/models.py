"""Applications, their timeline, attachments and tracking-number counters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import County, Unit
from portal.core.crypto import EncryptedJSON, EncryptedText, mask_id_number, mask_phone
from portal.db import Base, TimestampMixin, utcnow

TYPE_CODES = {"training": "PX", "mentoring": "FD", "loan": "DB"}


class Application(TimestampMixin, Base):
    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str | None] = mapped_column(sa.String(24), unique=True)
    type: Mapped[str] = mapped_column(sa.String(16), index=True)
    state: Mapped[str] = mapped_column(sa.String(16), index=True, default="draft")
    resume_state: Mapped[str | None] = mapped_column(sa.String(16))
    version: Mapped[int] = mapped_column(default=1)
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # One form on the screen is one application: a double click or a browser retry finds this key taken.
    form_key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    county_id: Mapped[int | None] = mapped_column(sa.ForeignKey("county.id"), index=True)
    township: Mapped[str | None] = mapped_column(sa.String(64))
    applicant_name: Mapped[str | None] = mapped_column(sa.String(64))
    id_number: Mapped[str | None] = mapped_column(EncryptedText)
    id_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    private: Mapped[dict | None] = mapped_column(EncryptedJSON)
    amount_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The promise made to the applicant, kept current by the queues area in the same transaction as each change:
    # who handles it, by when (working days, paused during 补正), and why it last moved.
    handling_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    promised_date: Mapped[date | None] = mapped_column(sa.Date)
    clock_paused: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # routed, transferred, paused, resumed, recalculated (a holiday schedule entered at /admin/calendar)
    promise_reason: Mapped[str | None] = mapped_column(sa.String(16))
    # For the leading group's figures, kept by the queues area: working days from submission to decision (set
    # when decided), and the day a trainee attended the course (recorded by the training unit).
    decision_working_days: Mapped[int | None] = mapped_column(sa.SmallInteger)
    attended_on: Mapped[date | None] = mapped_column(sa.Date)

    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    county: Mapped[County | None] = relationship()
    handling_unit: Mapped[Unit | None] = relationship(foreign_keys=[handling_unit_id])
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # the leading group's figures for a year: decisions by type, state, month and county; receipts by day
        sa.Index("ix_application_decided", "type", "state", "decided_at", "county_id"),
        sa.Index("ix_application_received", "submitted_at", "type", "county_id"),
        sa.Index("ix_application_unit_days", "handling_unit_id", "decided_at", "decision_working_days"),
    )

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class ApplicationEvent(Base):
    """One step on the timeline the applicant sees (internal notes live elsewhere)."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str | None] = mapped_column(sa.String(16))
    to_state: Mapped[str | None] = mapped_column(sa.String(16))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    message: Mapped[str | None] = mapped_column(sa.Text)
    details: Mapped[dict | None] = mapped_column(sa.JSON)

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    # the office's "asked for material twice" figures read requests by action and time without the timeline rows
    __table_args__ = (sa.Index("ix_application_event_action", "action", "at", "unit_id", "application_id"),)


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application_event.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments")


class TrackingCounter(Base):
    """The last sequence number used for a year and type: NY-2026-DB-000123."""

    __tablename__ = "tracking_counter"

    year: Mapped[int] = mapped_column(primary_key=True)
    type_code: Mapped[str] = mapped_column(sa.String(4), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class StoredBlob(Base):
    """The bytes of one stored file (the database storage of `applications.storage`), keyed by its random name.

    Written in the same transaction as the Attachment row that names it, so a failed or killed request
    leaves neither behind; every app server reads the same bytes.
    """

    __tablename__ = "stored_blob"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
