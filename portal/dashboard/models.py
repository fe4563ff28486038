"""Targets set in the portal and figures reported off-line (a county's monthly return)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import County
from portal.db import Base, utcnow

CITY = ""  # Target.county_code of a target for the whole city


class Target(Base):
    """A year's target for one indicator, for the city or one county, set by the office in the portal.

    It wins over the same target in content/targets.yaml (the reviewed seed); every change is audited.
    """

    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    indicator: Mapped[str] = mapped_column(sa.String(24))
    county_code: Mapped[str] = mapped_column(sa.String(32), default=CITY)  # "" for the whole city
    value: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    source: Mapped[str] = mapped_column(sa.String(200))
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # set by `flask dashboard demo`

    set_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("year", "indicator", "county_code", name="uq_target_scope"),)


class OfflineFigure(Base):
    """What a county reports for a month that happened outside the portal (e.g. training by other providers).

    Kept apart from what the portal counts and shown beside it, never mixed into it silently.
    """

    __tablename__ = "offline_figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"))
    indicator: Mapped[str] = mapped_column(sa.String(24))
    value: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    county: Mapped[County] = relationship()
    entered_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("year", "month", "county_id", "indicator", name="uq_offline_figure_cell"),
        sa.Index("ix_offline_figure_year", "year", "indicator"),
    )
