"""The message centre: one's messages newest first, the unread count for the header, marking one read."""

from __future__ import annotations

import sqlalchemy as sa

from portal import audit
from portal.core.access import require
from portal.db import utcnow
from portal.extensions import db
from portal.notify.models import InboxMessage

PAGE_SIZE = 20


def unread_count(user_id: int) -> int:
    """One count over the (user_id, read_at) index."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(InboxMessage)
        .where(InboxMessage.user_id == user_id, InboxMessage.read_at.is_(None))
    )


def page_of(user_id: int, page: int = 1, unread_only: bool = False) -> tuple[list[InboxMessage], bool]:
    """A page of the user's messages, newest first, and whether there is a next page."""
    query = sa.select(InboxMessage).where(InboxMessage.user_id == user_id)
    if unread_only:
        query = query.where(InboxMessage.read_at.is_(None))
    rows = db.session.scalars(
        query.order_by(InboxMessage.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def message_for(user, message_id: int) -> InboxMessage:
    """A message of the user's own (notify.access "inbox.own"); any other answers 404."""
    return require(user, "inbox.own", db.session.get(InboxMessage, message_id))


def mark_read(user, message: InboxMessage) -> bool:
    """Mark one message read (once); True when it was unread."""
    if message.read_at is not None:
        return False
    result = db.session.execute(
        sa.update(InboxMessage)
        .where(InboxMessage.id == message.id, InboxMessage.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(message)
    if result.rowcount:
        audit.record(user, "inbox.read", "inbox_message", message.id)
    return bool(result.rowcount)


def mark_all_read(user) -> int:
    result = db.session.execute(
        sa.update(InboxMessage)
        .where(InboxMessage.user_id == user.id, InboxMessage.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        audit.record(user, "inbox.read_all", "user", user.id, after={"messages": result.rowcount})
    return result.rowcount
