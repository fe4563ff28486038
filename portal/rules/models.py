"""The rules administrators keep in the portal: a year's official holiday schedule, and changes to routing."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, utcnow


class HolidaySchedule(Base):
    """One year's schedule as the State Council's notice (国务院办公厅通知) published it; wins over
    content/holidays.yaml and chinese-calendar for that year."""

    __tablename__ = "holiday_schedule"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    off: Mapped[list] = mapped_column(sa.JSON)  # ISO dates: public holidays (放假)
    workdays: Mapped[list] = mapped_column(sa.JSON)  # ISO dates: weekend days worked (调休上班)
    notice: Mapped[str] = mapped_column(sa.String(100))  # e.g. 国办发明电〔2026〕7号
    notice_date: Mapped[date] = mapped_column(sa.Date)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    entered_by: Mapped[User | None] = relationship()


class RoutingChange(Base):
    """A proposed version of the routing rules (the whole of routing.yaml as text): a draft until a second
    administrator publishes it (or rejects it, or its author withdraws it). `ROUTING_CHANGE.apply` is the only
    writer of `status`; the published ones are the history of the rules."""

    __tablename__ = "routing_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="draft", index=True)
    text: Mapped[str] = mapped_column(sa.Text)  # the proposed rules as YAML, as the author wrote them
    data: Mapped[dict] = mapped_column(sa.JSON)  # the same, parsed and validated
    base_text: Mapped[str] = mapped_column(sa.Text)  # the rules in force when the draft was written (for the diff)
    base_digest: Mapped[str] = mapped_column(sa.String(64))  # of the rules in force then: publishing checks it
    note: Mapped[str] = mapped_column(sa.String(500), default="")  # why (the author's)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(sa.String(500))  # the reviewer's, when rejected

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
