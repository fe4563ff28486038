"""The staff's daily digest: one inbox message per staff member per day, listing what waits for their unit.

The digest is computed from the state of the queues and visits when it runs (`flask notify digest`, from cron
once a morning), not recorded from signals as things happen: the queues already know what is new (created
since the last digest), transferred in, due soon or waiting for confirmation, so nothing extra is written per
item, an item handled before the digest runs is not listed, and a missed day is caught up by the next run
(the window starts at the member's previous digest). Other areas add sections from their init_app
(`register`); notify imports none of them. Unit leads also get one SMS with the count (unless turned off).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from portal.accounts.models import User
from portal.core.clock import BEIJING
from portal.db import utcnow
from portal.extensions import db
from portal.notify import messages
from portal.notify.models import DigestSent


@dataclass(frozen=True)
class Line:
    label: str  # a tracking number, a visit's place and day
    link: str | None = None
    note: str = ""  # e.g. the due date


# section code -> function(staff member, since, today) -> lines; codes are the template's section titles
Section = Callable[[User, datetime, date], list[Line]]
_SECTIONS: dict[str, Section] = {}


def register(code: str, section: Section) -> None:
    _SECTIONS[code] = section


def beijing_today() -> date:
    return utcnow().astimezone(BEIJING).date()


def _since(user_id: int) -> datetime:
    last = db.session.scalar(sa.select(sa.func.max(DigestSent.sent_at)).where(DigestSent.user_id == user_id))
    if last is None:
        return utcnow() - timedelta(days=1)
    return last if last.tzinfo else last.replace(tzinfo=ZoneInfo("UTC"))


def sections_for(user: User, since: datetime, day: date) -> dict[str, list[Line]]:
    found = {}
    for code, section in _SECTIONS.items():
        lines = section(user, since, day)
        if lines:
            found[code] = lines
    return found


def send_digests(day: date | None = None) -> int:
    """Write today's digest for each active staff member who has something waiting; the number written.

    Idempotent per day: a member who already has today's digest is skipped (a second cron run sends nothing).
    """
    day = day or beijing_today()
    staff = db.session.scalars(
        sa.select(User).where(User.role == "staff", User.active).order_by(User.unit_id, User.id)
    ).all()
    written = 0
    for person in staff:
        if db.session.get(DigestSent, (person.id, day)) is not None:
            continue
        sections = sections_for(person, _since(person.id), day)
        total = sum(len(lines) for lines in sections.values())
        db.session.add(DigestSent(user_id=person.id, day=day, items=total))
        if total:
            messages.tell(
                "notify/digest.txt",
                user_id=person.id,
                phone=person.phone if person.is_unit_lead else None,
                purpose="digest",
                link="/staff/queue",
                sections=sections,
                n=total,
                day=day,
            )
            written += 1
        db.session.commit()  # each member's digest on its own: a failure later does not resend the earlier ones
    return written
