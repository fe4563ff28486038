"""Visits, sign-ups (with a waiting list), visit records, the per-place-per-day lock rows, and offers."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import County, IncubationBase, Mentor, Park, Unit
from portal.db import Base, TimestampMixin, utcnow


class Visit(TimestampMixin, Base):
    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor.id"), index=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    dest_kind: Mapped[str] = mapped_column(sa.String(12))  # township, park, base, enterprise
    township: Mapped[str | None] = mapped_column(sa.String(64))
    park_id: Mapped[int | None] = mapped_column(sa.ForeignKey("park.id"))
    base_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incubation_base.id"))
    enterprise_name: Mapped[str | None] = mapped_column(sa.String(120))
    address: Mapped[str | None] = mapped_column(sa.String(255))
    place_key: Mapped[str] = mapped_column(sa.String(200), index=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    start_time: Mapped[time] = mapped_column(sa.Time)
    end_time: Mapped[time] = mapped_column(sa.Time)
    topics: Mapped[list] = mapped_column(sa.JSON, default=list)
    capacity: Mapped[int]
    note: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(12), index=True, default="pending")
    confirm_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)
    sample: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # demo data (`flask visits demo`)

    mentor: Mapped[Mentor] = relationship()
    county: Mapped[County] = relationship()
    park: Mapped[Park | None] = relationship()
    base: Mapped[IncubationBase | None] = relationship()
    confirm_unit: Mapped[Unit] = relationship()
    signups: Mapped[list[VisitSignup]] = relationship(back_populates="visit", order_by="VisitSignup.id")
    record: Mapped[VisitRecord | None] = relationship(back_populates="visit", uselist=False)

    @property
    def place_name(self) -> str:
        if self.dest_kind == "park" and self.park:
            return self.park.name
        if self.dest_kind == "base" and self.base:
            return self.base.name
        if self.dest_kind == "enterprise":
            return self.enterprise_name or ""
        return f"{self.county.name}{self.township or ''}"

    @property
    def seats_taken(self) -> int:
        return sum(1 for s in self.signups if s.status == "confirmed")

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)


class VisitSignup(Base):
    __tablename__ = "visit_signup"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))  # confirmed, waiting, cancelled
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    attended: Mapped[bool | None]
    rating: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(sa.Text)
    rated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    visit: Mapped[Visit] = relationship(back_populates="signups")
    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("visit_id", "user_id", name="uq_visit_signup_visit_user"),)


class VisitRecord(Base):
    """辅导记录: filed by the mentor after the visit; each attendee is one 创业辅导 person-time."""

    __tablename__ = "visit_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"), unique=True)
    attendees: Mapped[int]
    walk_ins: Mapped[int] = mapped_column(default=0)
    topics_covered: Mapped[str] = mapped_column(sa.Text)
    follow_up: Mapped[str | None] = mapped_column(sa.Text)
    filed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="record")


class VisitPlaceDay(Base):
    """One row per place and day, locked while a booking there is checked: the cap holds under concurrency."""

    __tablename__ = "visit_place_day"

    place_key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)


class VisitOffer(Base):
    """A seat on a visit offered to a mentoring applicant by staff."""

    __tablename__ = "visit_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("visit.id", ondelete="CASCADE"))
    offered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default="offered")  # offered, accepted, declined
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    visit: Mapped[Visit] = relationship()
