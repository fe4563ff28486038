"""好差评: the applicant's rating of a decided application, and the follow-up (整改) a poor rating opens."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.applications.models import Application
from portal.catalog.models import Unit
from portal.db import Base, TimestampMixin, utcnow


class Rating(TimestampMixin, Base):
    """One per application, by its applicant; changeable until `changeable_until`."""

    __tablename__ = "rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    rater_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    # the unit that handled the application when it was decided, and its county (None: a city-level unit)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    county_id: Mapped[int | None] = mapped_column(sa.ForeignKey("county.id"))
    month: Mapped[str] = mapped_column(sa.String(7))  # "2026-03", Beijing time of the first rating
    level: Mapped[int]  # 5 非常满意 … 1 非常不满意
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    changeable_until: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    changes: Mapped[int] = mapped_column(default=0)

    application: Mapped[Application] = relationship()
    rater: Mapped[User] = relationship()
    unit: Mapped[Unit | None] = relationship()
    follow_up: Mapped[FollowUp | None] = relationship(back_populates="rating", uselist=False)

    __table_args__ = (
        sa.CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        sa.Index("ix_rating_unit_month", "unit_id", "month"),
        sa.Index("ix_rating_month", "month"),
    )


class FollowUp(Base):
    """整改: a poor rating's follow-up by the handling unit's lead, answered by a working-day deadline."""

    __tablename__ = "rating_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(sa.ForeignKey("rating.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default="open")  # open, answered, resolved, unresolved
    due_date: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    feedback_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    rating: Mapped[Rating] = relationship(back_populates="follow_up")
    unit: Mapped[Unit] = relationship()
    answered_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_rating_follow_up_unit_status", "unit_id", "status", "due_date"),)
