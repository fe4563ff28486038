"""Queue notifications with the change that causes them; deliver them after the commit."""

from __future__ import annotations

import logging
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from werkzeug.utils import import_string

from portal.db import utcnow
from portal.extensions import db
from portal.notify.models import InboxMessage, OutboxMessage

SMS_MAX_CHARS = 70  # one Chinese SMS segment
log = logging.getLogger("portal.notify")


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class LogSender:
    """Development and tests: 'sends' by writing to the log. Real deployments plug in an SMS gateway."""

    def send(self, message: OutboxMessage) -> None:
        log.info("SMS to %s: %s", message.recipient, message.body)


def sms(recipient: str, body: str, purpose: str, user_id: int | None = None) -> OutboxMessage:
    if len(body) > SMS_MAX_CHARS:
        raise ValueError(f"SMS text over {SMS_MAX_CHARS} characters: {body!r}")
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
    """Send what is waiting. Each message is marked sent in its own commit, so a crash never resends much."""
    target = sender()
    sent = 0
    ids = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < 5)
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
            message.last_error = repr(exc)[:500]
            log.warning("sending outbox message %s failed: %r", message_id, exc)
        db.session.commit()
    return sent
