"""Drafts of content changes (`content_change`) and the published versions they made (`content_version`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, TimestampMixin, utcnow


class ContentChange(TimestampMixin, Base):
    """One proposed change to one entry: an edit (`data`, the whole entry as content data) or an unpublication
    (`op` "unpublish", with `reason`). It records the entry's version it was based on (`base_version`, 0 for a new
    entry) and the entry as it was then (`base_data`), so a publication over someone else's is refused and shown."""

    __tablename__ = "content_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(80), index=True)
    op: Mapped[str] = mapped_column(sa.String(16), default="edit")
    data: Mapped[dict | None] = mapped_column(sa.JSON)
    base_version: Mapped[int] = mapped_column(default=0)
    base_data: Mapped[dict | None] = mapped_column(sa.JSON)
    restored_from: Mapped[int | None]  # the version number a restore copies
    reason: Mapped[str | None] = mapped_column(sa.Text)  # why unpublish
    review_note: Mapped[str | None] = mapped_column(sa.Text)  # why rejected
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    published_version: Mapped[int | None]

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    @property
    def title(self) -> str:
        data = self.data or self.base_data or {}
        return data.get("title") or data.get("name") or self.key


class ContentVersion(Base):
    """A published version of an entry: the whole entry as content data, who published it and when.

    Version numbers follow the entry's `version` column; the version an entry had before its first publication in
    the portal (as `content load` left it) is kept too, as published by nobody."""

    __tablename__ = "content_version"
    __table_args__ = (sa.UniqueConstraint("kind", "key", "version", name="uq_content_version_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    key: Mapped[str] = mapped_column(sa.String(80), index=True)
    version: Mapped[int]
    op: Mapped[str] = mapped_column(sa.String(16), default="edit")
    data: Mapped[dict] = mapped_column(sa.JSON)
    visible: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    note: Mapped[str | None] = mapped_column(sa.Text)
    change_id: Mapped[int | None] = mapped_column(sa.ForeignKey("content_change.id"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
