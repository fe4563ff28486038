"""Policy guides (政策指南): one published explanation of a policy, with its source document."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.catalog.models import CatalogMixin
from portal.db import Base


class Policy(CatalogMixin, Base):
    """`name` is the guide's title; `description` its one-paragraph summary; `body` the Markdown text."""

    __tablename__ = "policy"

    issuer: Mapped[str] = mapped_column(sa.String(200))
    doc_number: Mapped[str | None] = mapped_column(sa.String(100))
    issued: Mapped[date] = mapped_column(sa.Date, index=True)
    effective: Mapped[date | None] = mapped_column(sa.Date)
    expires: Mapped[date | None] = mapped_column(sa.Date)
    category: Mapped[str] = mapped_column(sa.String(16), index=True)
    eligibility: Mapped[list] = mapped_column(sa.JSON, default=list)
    benefits: Mapped[list] = mapped_column(sa.JSON, default=list)
    how_to_apply: Mapped[list] = mapped_column(sa.JSON, default=list)
    application_type: Mapped[str | None] = mapped_column(sa.String(16))
    units: Mapped[list] = mapped_column(sa.JSON, default=list)
    body: Mapped[str] = mapped_column(sa.Text, default="")

    @property
    def title(self) -> str:
        return self.name
