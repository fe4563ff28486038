"""Projects looking for support (项目展示), the units' shortlists for a 路演 or 对接会, and recommendations to the
investment fund's project pool. The catalog's `Project` (示范项目) is a different thing and stays there."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import County, Project, Unit
from portal.core.crypto import EncryptedText
from portal.db import Base, utcnow


class Venture(Base):
    """A returning entrepreneur's project, presented to find investment, a loan, buyers, suppliers or a place in a
    base. Public only once a person at the responsible unit (the county's 人社局) has approved it."""

    __tablename__ = "venture"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)  # None: demo rows
    name: Mapped[str] = mapped_column(sa.String(80))
    makes: Mapped[str] = mapped_column(sa.Text)  # what it makes or offers, in the person's words (≤ 1,000)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    industry: Mapped[str] = mapped_column(sa.String(32), index=True)  # catalog.vocab.INDUSTRIES
    stage: Mapped[str] = mapped_column(sa.String(16))  # vocab.STAGES
    jobs_created: Mapped[int] = mapped_column(default=0)
    jobs_planned: Mapped[int] = mapped_column(default=0)
    investment_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))  # sought, in 万元
    contact_pref: Mapped[str] = mapped_column(sa.String(16), default="portal")  # vocab.CONTACT
    # Who to talk to: personal data, stored encrypted; shown masked in public, in full to nobody but the owner and
    # staff holding the full-data grant.
    contact_name: Mapped[str] = mapped_column(EncryptedText)
    contact_phone: Mapped[str] = mapped_column(EncryptedText)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)  # reviews it: the county's 人社局
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The demonstration project (catalog) this is, when it is one: its catalog page links here (a panel).
    catalog_project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("project.id"), index=True)
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # `flask ventures demo`
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    county: Mapped[County] = relationship()
    unit: Mapped[Unit] = relationship()
    catalog_project: Mapped[Project | None] = relationship()
    seek_rows: Mapped[list[VentureSeek]] = relationship(cascade="all, delete-orphan", order_by="VentureSeek.code")

    @property
    def sample(self) -> bool:
        """Demo rows are shown as 示例数据 like the catalog's sample entries (`macros.sample_badge`)."""
        return self.demo

    @property
    def seeks(self) -> list[str]:
        """What the project seeks (vocab.SEEKS codes), one row each so that the public list can filter by it."""
        from portal.ventures.vocab import SEEKS

        codes = {row.code for row in self.seek_rows}
        return [code for code in SEEKS if code in codes]

    __table_args__ = (
        sa.Index("ix_venture_status_published_at", "status", "published_at"),
        sa.CheckConstraint("jobs_created >= 0 AND jobs_planned >= 0", name="jobs_not_negative"),
        sa.CheckConstraint("investment_wan IS NULL OR investment_wan > 0", name="investment_positive"),
    )


class VentureSeek(Base):
    __tablename__ = "venture_seek"

    venture_id: Mapped[int] = mapped_column(sa.ForeignKey("venture.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True, index=True)


class Shortlist(Base):
    """A unit's list of projects for a 路演, 投资对接会 or 销售对接. The event itself is kept as free text and a date
    until the events area exists; `event_id` is a plain nullable integer (no foreign key yet) to be wired then."""

    __tablename__ = "venture_shortlist"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    purpose: Mapped[str] = mapped_column(sa.String(16))  # vocab.PURPOSES
    event_label: Mapped[str | None] = mapped_column(sa.String(200))  # for which event, in words
    event_on: Mapped[date | None] = mapped_column(sa.Date)
    event_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)  # the events area's event, later (no FK)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()
    entries: Mapped[list[ShortlistEntry]] = relationship(
        cascade="all, delete-orphan", order_by="ShortlistEntry.added_at", back_populates="shortlist"
    )


class ShortlistEntry(Base):
    __tablename__ = "venture_shortlist_entry"

    shortlist_id: Mapped[int] = mapped_column(
        sa.ForeignKey("venture_shortlist.id", ondelete="CASCADE"), primary_key=True
    )
    venture_id: Mapped[int] = mapped_column(sa.ForeignKey("venture.id"), primary_key=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    shortlist: Mapped[Shortlist] = relationship(back_populates="entries")
    venture: Mapped[Venture] = relationship()


class Recommendation(Base):
    """A unit recommends a published project to an investment fund's project pool; the fund's answer is recorded
    later (pending → accepted into the pool | declined). Its status moves only through `states.RECOMMENDATION`."""

    __tablename__ = "venture_recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    venture_id: Mapped[int] = mapped_column(sa.ForeignKey("venture.id"), index=True)
    fund: Mapped[str] = mapped_column(sa.String(32))  # vocab.FUNDS
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    recommended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recommended_on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.Text)  # why the unit recommends it
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    venture: Mapped[Venture] = relationship()
    unit: Mapped[Unit] = relationship()
    recommended_by: Mapped[User | None] = relationship(foreign_keys=[recommended_by_id])
