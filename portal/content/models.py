"""Rule sets loaded from content/ (loan limits, later routing and deadlines): data, not code."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, TimestampMixin
from portal.extensions import db


class RuleSet(TimestampMixin, Base):
    __tablename__ = "rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(32), unique=True)
    data: Mapped[dict] = mapped_column(sa.JSON)
    source: Mapped[str | None] = mapped_column(sa.Text)
    # Set when the rule set is changed in the portal (routing published at /admin/routing): `content load` then
    # reports a conflict instead of overwriting it.
    changed_in_portal_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


def get_rules(name: str) -> dict:
    row = db.session.scalar(sa.select(RuleSet).where(RuleSet.name == name))
    return row.data if row else {}
