"""Events (活动): what a unit or the office publishes, who registered (with a waiting list), the invitation list
of an invited-only event, and what came of it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import County, IncubationBase, Park, Unit
from portal.db import Base, TimestampMixin, utcnow


class Event(TimestampMixin, Base):
    """One event. Times are stored in UTC and entered and shown in Asia/Shanghai."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), index=True)  # events.vocab.KINDS
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    deadline_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))  # registration closes
    place_kind: Mapped[str] = mapped_column(sa.String(8))  # base, park, address, online
    base_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incubation_base.id"))
    park_id: Mapped[int | None] = mapped_column(sa.ForeignKey("park.id"))
    address: Mapped[str | None] = mapped_column(sa.String(255))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)  # the organiser
    capacity: Mapped[int]
    audience: Mapped[str] = mapped_column(sa.String(12), default="anyone")  # anyone, registered, invited
    status: Mapped[str] = mapped_column(sa.String(12), index=True, default="draft")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # outcomes, recorded by the organiser after the event (public)
    attendance: Mapped[int | None]  # checked in at the door
    deals: Mapped[int | None]  # deals or intentions signed
    amount_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    summary: Mapped[str | None] = mapped_column(sa.Text)
    outcomes_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    outcomes_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)  # the iCalendar SEQUENCE: grows with each change of time
    sample: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # `flask events demo`

    county: Mapped[County] = relationship()
    unit: Mapped[Unit] = relationship()
    base: Mapped[IncubationBase | None] = relationship()
    park: Mapped[Park | None] = relationship()
    registrations: Mapped[list[EventRegistration]] = relationship(
        back_populates="event", order_by="EventRegistration.id"
    )

    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    @property
    def place_name(self) -> str:
        if self.place_kind == "base" and self.base:
            return self.base.name
        if self.place_kind == "park" and self.park:
            return self.park.name
        return self.address or ""

    @property
    def seats_taken(self) -> int:
        return sum(1 for r in self.registrations if r.status == "registered")

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)

    @property
    def waiting(self) -> int:
        return sum(1 for r in self.registrations if r.status == "waiting")


class EventRegistration(Base):
    __tablename__ = "event_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))  # registered, waiting, cancelled
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # the code on the person's ticket (QR), also typed at the door
    code: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))  # the SMS the day before

    event: Mapped[Event] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (sa.UniqueConstraint("event_id", "user_id", name="uq_event_registration_event_user"),)


class EventInvitation(Base):
    """Who may register for an invited-only event: added by the organiser (by phone number), or asked for by the
    person and then accepted by the organiser (`invited_at` set)."""

    __tablename__ = "event_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    project: Mapped[str | None] = mapped_column(sa.String(120))  # the project the person brings, as they say it
    requested_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    invited_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (sa.UniqueConstraint("event_id", "user_id", name="uq_event_invitation_event_user"),)
