"""The queues' sections of the staff's daily digest (notify.digest): new items, items transferred in, items
about to go overdue, and applicants' replies — each for the member's unit, computed when the digest runs."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask, current_app

from portal.accounts.models import User
from portal.applications.models import Application, ApplicationEvent
from portal.extensions import db
from portal.notify.digest import Line, register
from portal.queues import queries
from portal.queues.models import QueueItem
from portal.queues.states import OPEN, TRANSFERRED

LIMIT = 30  # lines per section; the queue page has the rest


def _line(item: QueueItem) -> Line:
    return Line(item.application.tracking_no or "", f"/staff/items/{item.id}", item.due_date.isoformat())


def _arrived(user: User, since: datetime, transferred: bool) -> list[Line]:
    query = sa.select(QueueItem).where(
        QueueItem.unit_id == user.unit_id, QueueItem.status == OPEN, QueueItem.created_at >= since
    )
    query = query.where(QueueItem.from_unit_id.is_not(None) if transferred else QueueItem.from_unit_id.is_(None))
    return [_line(i) for i in db.session.scalars(query.order_by(QueueItem.due_date, QueueItem.id).limit(LIMIT))]


def new_items(user: User, since: datetime, _day: date) -> list[Line]:
    return _arrived(user, since, transferred=False)


def transferred_in(user: User, since: datetime, _day: date) -> list[Line]:
    return _arrived(user, since, transferred=True)


def due_soon(user: User, _since: datetime, day: date) -> list[Line]:
    """Open, running items due within DIGEST_DUE_SOON_DAYS working days (overdue ones: `flask queues remind`)."""
    horizon = queries.calendar().add_working_days(day, current_app.config.get("DIGEST_DUE_SOON_DAYS", 2))
    query = (
        sa.select(QueueItem)
        .where(
            QueueItem.unit_id == user.unit_id,
            QueueItem.status == OPEN,
            QueueItem.paused_since.is_(None),
            QueueItem.due_date >= day,
            QueueItem.due_date <= horizon,
        )
        .order_by(QueueItem.due_date, QueueItem.id)
        .limit(LIMIT)
    )
    return [_line(i) for i in db.session.scalars(query)]


def replies(user: User, since: datetime, _day: date) -> list[Line]:
    """Applicants' replies since the last digest, on applications the unit has (or had) an item for."""
    query = (
        sa.select(ApplicationEvent.at, Application.tracking_no, sa.func.max(QueueItem.id))
        .join(Application, Application.id == ApplicationEvent.application_id)
        .join(QueueItem, QueueItem.application_id == Application.id)
        .where(
            ApplicationEvent.action == "reply",
            ApplicationEvent.at >= since,
            QueueItem.unit_id == user.unit_id,
            QueueItem.status != TRANSFERRED,
        )
        .group_by(ApplicationEvent.id, ApplicationEvent.at, Application.tracking_no)
        .order_by(ApplicationEvent.at)
        .limit(LIMIT)
    )
    return [Line(no or "", f"/staff/items/{item_id}") for _at, no, item_id in db.session.execute(query)]


def init_app(_app: Flask) -> None:
    register("new", new_items)
    register("transferred", transferred_in)
    register("due_soon", due_soon)
    register("replies", replies)
