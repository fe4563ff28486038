"""Catalog models: counties and zones, units, incubation bases, parks, projects and mentors."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, TimestampMixin


class County(Base):
    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name_en: Mapped[str] = mapped_column(sa.String(128))
    kind: Mapped[str] = mapped_column(sa.String(16))
    sort: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<County {self.code} {self.name}>"


class Unit(TimestampMixin, Base):
    """A government unit that can own work: a city bureau or its county counterpart."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(48), unique=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    short_name: Mapped[str] = mapped_column(sa.String(64))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[str] = mapped_column(sa.String(16))
    dept: Mapped[str] = mapped_column(sa.String(16), index=True)
    county_id: Mapped[int | None] = mapped_column(sa.ForeignKey("county.id"), index=True)
    duties: Mapped[list] = mapped_column(sa.JSON, default=list)
    address: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    hours: Mapped[str | None] = mapped_column(sa.String(128))  # office hours as the unit publishes them
    # The unit it answers to (a county bureau's city counterpart, say); set in /admin/units.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    sample: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(sa.Text)
    # Raised by every edit in /admin/units: an edit made on an older version is refused (optimistic locking).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set by an edit in /admin/units: `content load` then reports a conflict instead of overwriting it.
    changed_in_portal_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    county: Mapped[County | None] = relationship()
    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class CatalogMixin(TimestampMixin):
    """Fields every published catalog entry has."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    tags: Mapped[list] = mapped_column(sa.JSON, default=list)
    sample: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(sa.Text)
    # Editorial state (portal/editorial): the published version number, bumped by every publication or load that
    # changes the entry; whether the public sees it (unpublished with a reason otherwise); the hash of the file
    # data it was last loaded from, and when the portal last changed it (content load reports a conflict then).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    visible: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    source_hash: Mapped[str | None] = mapped_column(sa.String(64))
    changed_in_portal_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class IncubationBase(CatalogMixin, Base):
    __tablename__ = "incubation_base"

    type: Mapped[str] = mapped_column(sa.String(16), index=True)
    level: Mapped[str] = mapped_column(sa.String(16), index=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(255))
    operator: Mapped[str] = mapped_column(sa.String(200))
    services: Mapped[list] = mapped_column(sa.JSON, default=list)
    capacity: Mapped[int | None]
    contact: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(64))
    lat: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    lng: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6))
    year: Mapped[int | None]

    county: Mapped[County] = relationship()


class Park(CatalogMixin, Base):
    """返乡创业示范园区."""

    __tablename__ = "park"

    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    industry: Mapped[str] = mapped_column(sa.String(32), index=True)
    level: Mapped[str] = mapped_column(sa.String(16), index=True)
    year: Mapped[int]
    address: Mapped[str] = mapped_column(sa.String(255))
    area_mu: Mapped[int | None]
    enterprises: Mapped[int | None]
    jobs: Mapped[int | None]

    county: Mapped[County] = relationship()


class Project(CatalogMixin, Base):
    """返乡创业示范项目."""

    __tablename__ = "project"

    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    industry: Mapped[str] = mapped_column(sa.String(32), index=True)
    level: Mapped[str] = mapped_column(sa.String(16), index=True)
    year: Mapped[int]
    company: Mapped[str] = mapped_column(sa.String(200))
    park_id: Mapped[int | None] = mapped_column(sa.ForeignKey("park.id"), index=True)
    investment_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    jobs: Mapped[int | None]

    county: Mapped[County] = relationship()
    park: Mapped[Park | None] = relationship()


mentor_county = sa.Table(
    "mentor_county",
    Base.metadata,
    sa.Column("mentor_id", sa.ForeignKey("mentor.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("county_id", sa.ForeignKey("county.id", ondelete="CASCADE"), primary_key=True),
)


class MentorExpertise(Base):
    __tablename__ = "mentor_expertise"

    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("mentor.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)


class Mentor(CatalogMixin, Base):
    """An entry of the 创业导师库. `name` is the mentor's name; `description` their biography."""

    __tablename__ = "mentor"

    title: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    citywide: Mapped[bool] = mapped_column(default=False)
    accepts_visits: Mapped[bool] = mapped_column(default=True)

    counties: Mapped[list[County]] = relationship(secondary=mentor_county, order_by=County.sort)
    expertise_rows: Mapped[list[MentorExpertise]] = relationship(
        cascade="all, delete-orphan", order_by=MentorExpertise.code
    )

    @property
    def expertise(self) -> list[str]:
        return [row.code for row in self.expertise_rows]
