"""Success stories of returning entrepreneurs (先进典型 / 返乡创业故事): the text, its photos, the support the person
used, and the person's recorded consent, kept with the story (publication is refused without it)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import County
from portal.core.crypto import EncryptedText
from portal.db import Base, utcnow


class Story(Base):
    __tablename__ = "story"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown, rendered through nh3 (policies.services.render_markdown)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"), index=True)
    industry: Mapped[str] = mapped_column(sa.String(32), index=True)  # catalog.vocab.INDUSTRIES
    # The person's own project page (ventures), when they presented one; shown only while it is published.
    venture_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venture.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))  # None: demo stories
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    review_note: Mapped[str | None] = mapped_column(sa.Text)  # why it was returned or taken down
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # `flask stories demo`
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    county: Mapped[County] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    photos: Mapped[list[StoryPhoto]] = relationship(
        cascade="all, delete-orphan", order_by="StoryPhoto.id", back_populates="story"
    )
    supports: Mapped[list[StorySupport]] = relationship(cascade="all, delete-orphan", order_by="StorySupport.kind")
    consents: Mapped[list[StoryConsent]] = relationship(
        cascade="all, delete-orphan", order_by="StoryConsent.id", back_populates="story"
    )

    __table_args__ = (sa.Index("ix_story_status_published_at", "status", "published_at"),)

    @property
    def sample(self) -> bool:
        """Demo stories are shown as 示例数据 (`macros.sample_badge`)."""
        return self.demo

    @property
    def consent(self) -> StoryConsent | None:
        """The consent in force: the latest one not withdrawn."""
        standing = [c for c in self.consents if c.withdrawn_at is None]
        return standing[-1] if standing else None

    def support(self, kind: str) -> list[str]:
        return [s.key for s in self.supports if s.kind == kind]


class StorySupport(Base):
    """The support the person used: a policy guide, a base, a park or a mentor of the catalog, by its slug."""

    __tablename__ = "story_support"

    story_id: Mapped[int] = mapped_column(sa.ForeignKey("story.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # policies, bases, parks, mentors
    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)


class StoryPhoto(Base):
    """A photo as the server made it: re-encoded JPEG (at most 1600 px, and a 480 px copy), no EXIF."""

    __tablename__ = "story_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(sa.ForeignKey("story.id", ondelete="CASCADE"), index=True)
    alt: Mapped[str] = mapped_column(sa.String(200))  # what the photo shows, for those who cannot see it
    caption: Mapped[str | None] = mapped_column(sa.String(200))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    thumb: Mapped[bytes] = mapped_column(sa.LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    story: Mapped[Story] = relationship(back_populates="photos")


class StoryConsent(Base):
    """The person's consent to the story being published: who, how, when, to what. Withdrawing it unpublishes the
    story at once; the record stays (with when and why it was withdrawn)."""

    __tablename__ = "story_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(sa.ForeignKey("story.id", ondelete="CASCADE"), index=True)
    person_name: Mapped[str] = mapped_column(EncryptedText)  # who consented (personal data: encrypted)
    method: Mapped[str] = mapped_column(sa.String(16))  # vocab.CONSENT_METHODS
    consented_on: Mapped[date] = mapped_column(sa.Date)
    scope: Mapped[str] = mapped_column(sa.Text)  # what may be published (name, photos, business, …)
    scan: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # the signed form, optional
    scan_type: Mapped[str | None] = mapped_column(sa.String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    withdrawal_note: Mapped[str | None] = mapped_column(sa.Text)

    story: Mapped[Story] = relationship(back_populates="consents")
