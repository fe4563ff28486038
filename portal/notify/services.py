"""Queue notifications with the change that causes them; deliver them after the commit."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from werkzeug.utils import import_string

from portal import audit
from portal.core.crypto import mask_phone
from portal.db import utcnow
from portal.extensions import db
from portal.notify.models import InboxMessage, OutboxMessage

SMS_MAX_CHARS = 70  # one Chinese SMS segment
MAX_ATTEMPTS = 5
# What stays of a verification-code SMS once it has been handed over (or given up on): never the code.
REDACTED = "[verification code removed after sending]"
log = logging.getLogger("portal.notify")


def carries_code(message: OutboxMessage) -> bool:
    return (message.purpose or "").startswith("code:")


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class LogSender:
    """Development and tests: 'sends' by writing to the log. Real deployments plug in an SMS gateway.

    The log gets a masked number and the kind of message, never the text (it may carry a code or a name)."""

    def send(self, message: OutboxMessage) -> None:
        log.info(
            "SMS %s to %s (%s, %d characters)",
            message.id,
            mask_phone(message.recipient),
            message.purpose,
            len(message.body or ""),
        )


def sms(recipient: str, body: str, purpose: str, user_id: int | None = None) -> OutboxMessage:
    if len(body) > SMS_MAX_CHARS:
        raise ValueError(f"SMS text over {SMS_MAX_CHARS} characters ({len(body)}, purpose {purpose})")
    message = OutboxMessage(recipient=recipient, body=body, purpose=purpose, user_id=user_id)
    db.session.add(message)
    return message


def inbox(user_id: int, subject: str, body: str, link: str | None = None) -> InboxMessage:
    message = InboxMessage(user_id=user_id, subject=subject, body=body, link=link)
    db.session.add(message)
    return message


def sender() -> Sender:
    dotted = current_app.config.get("NOTIFY_SENDER", "portal.notify.services:LogSender")
    return import_string(dotted.replace(":", "."))()


def deliver_pending(limit: int = 100) -> int:
    """Send what is waiting. Each message is marked sent in its own commit, so a crash never resends much.

    A verification code's text is removed in that same commit once it has been handed over (or after the
    last failed attempt); only development's outbox page (DEV_OUTBOX_PAGE) keeps it to show it."""
    target = sender()
    keep_codes = bool(current_app.config.get("DEV_OUTBOX_PAGE"))
    sent = 0
    ids = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    for message_id in ids:
        message = db.session.get(OutboxMessage, message_id)
        try:
            target.send(message)
            message.sent_at = utcnow()
            sent += 1
        except Exception as exc:  # a failing gateway must not stop the queue
            message.attempts += 1
            message.last_error = type(exc).__name__  # a gateway's message may quote the number or the text
            log.warning("sending outbox message %s failed: %s", message_id, type(exc).__name__)
        if carries_code(message) and not keep_codes and (message.sent_at or message.attempts >= MAX_ATTEMPTS):
            message.body = REDACTED
        db.session.commit()
    return sent


def purge(retention_days: int) -> int:
    """Delete outbox rows older than the retention, sent or not (an old undelivered SMS is of no use)."""
    cutoff = utcnow() - timedelta(days=retention_days)
    deleted = db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.created_at < cutoff)).rowcount or 0
    audit.record(None, "notify.purge", "outbox_message", "*", after={"deleted": deleted, "days": retention_days})
    return deleted
