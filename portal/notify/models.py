"""Outbox rows (SMS to deliver) and portal inbox messages."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.crypto import EncryptedText
from portal.db import Base, utcnow


class OutboxMessage(Base):
    """A text message waiting for a sender. Written in the transaction that caused it; sent after commit."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16), default="sms")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    recipient: Mapped[str] = mapped_column(EncryptedText)  # the phone number, needed to deliver
    # Encrypted at rest; a verification code's text is replaced by REDACTED once it is handed to the sender.
    body: Mapped[str] = mapped_column(EncryptedText)
    purpose: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class InboxMessage(Base):
    """A message in the user's portal inbox."""

    __tablename__ = "inbox_message"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The template the message was written from ("applications/notify/reject.txt", "notify/digest.txt"):
    # other areas' panels on the message page (a reply form) go by it.
    kind: Mapped[str | None] = mapped_column(sa.String(64))

    # the header's unread count: one index range of the user's unread rows
    __table_args__ = (sa.Index("ix_inbox_message_user_unread", "user_id", "read_at"),)


class NotifyPreference(Base):
    """Whether a user also wants a topic's non-essential notices by SMS (no row: yes, as before preferences)."""

    __tablename__ = "notify_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    sms: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class DigestSent(Base):
    """One daily digest per staff member per day: the cron job may run twice, the digest is written once."""

    __tablename__ = "notify_digest"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    items: Mapped[int] = mapped_column(default=0)
