"""When a staff member leaves a unit (deactivated or moved): the open items they had claimed go back to the unit's
queue, each audited, and the unit's lead is told in the inbox (texts: templates/admin/notify/)."""

from __future__ import annotations

import sqlalchemy as sa

from portal import audit
from portal.accounts.models import User
from portal.extensions import db
from portal.notify import messages
from portal.queues import operations
from portal.queues.models import QueueItem
from portal.queues.states import OPEN


def release_claimed(person: User, actor: User, why: str) -> int:
    """Unclaim every open item `person` holds; tell each unit's lead(s). Returns how many were released."""
    items = db.session.scalars(
        sa.select(QueueItem)
        .where(QueueItem.claimed_by_id == person.id, QueueItem.status == OPEN)
        .order_by(QueueItem.id)
    ).all()
    by_unit: dict[int, list[QueueItem]] = {}
    released = 0
    for item in items:
        if not operations.hand_back(item, person.id):  # conditional, and keeps the queue's counters exact
            continue
        released += 1
        by_unit.setdefault(item.unit_id, []).append(item)
        audit.record(
            actor, "queue.release", "queue_item", item.id, before={"claimed_by": person.id}, after={"reason": why}
        )
    for unit_id, unit_items in by_unit.items():
        _tell_leads(unit_id, person, unit_items, why)
    return released


def _tell_leads(unit_id: int, person: User, items: list[QueueItem], why: str) -> None:
    leads = db.session.scalars(
        sa.select(User).where(
            User.unit_id == unit_id, User.role == "staff", User.is_unit_lead, User.active, User.id != person.id
        )
    ).all()
    numbers = "、".join(i.application.tracking_no or "" for i in items[:10])
    for lead in leads:
        messages.tell(
            "admin/notify/released.txt",
            user_id=lead.id,
            phone=None,
            purpose="released",
            link="/staff/queue",
            name=person.name,
            n=len(items),
            numbers=numbers,
            why=why,
        )
