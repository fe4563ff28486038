"""Telling the units: a daily notice of overdue items to each unit's staff (SMS to the unit's lead).

Texts: templates/queues/notify/. What the applicant is told is the applications area's (applications.notifications).
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.extensions import db
from portal.notify import messages
from portal.queues import queries
from portal.queues.models import QueueItem
from portal.queues.states import OPEN


def remind_overdue() -> int:
    """Tell each unit about its overdue items, once a day per item (run from cron: flask queues remind)."""
    day = queries.today()
    items = db.session.scalars(
        sa.select(QueueItem).where(
            QueueItem.status == OPEN,
            QueueItem.due_date < day,
            QueueItem.paused_since.is_(None),
            sa.or_(QueueItem.reminded_on.is_(None), QueueItem.reminded_on < day),
        )
    ).all()
    by_unit: dict[int, list[QueueItem]] = {}
    for item in items:
        by_unit.setdefault(item.unit_id, []).append(item)
        item.reminded_on = day
    for unit_id, unit_items in by_unit.items():
        staff = db.session.scalars(
            sa.select(User).where(User.unit_id == unit_id, User.role == "staff", User.active)
        ).all()
        numbers = "、".join(i.application.tracking_no or "" for i in unit_items[:10])
        for person in staff:
            messages.tell(
                "queues/notify/overdue.txt",
                user_id=person.id,
                phone=person.phone if person.is_unit_lead else None,
                purpose="overdue",
                link="/staff/queue?overdue=1",
                n=len(unit_items),
                numbers=numbers,
            )
    return len(items)
