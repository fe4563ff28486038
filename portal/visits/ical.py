"""The mentor's private calendar feed (RFC 5545): every visit as an event, times in UTC (so no VTIMEZONE is
needed), SEQUENCE growing with each change, cancelled visits kept as STATUS:CANCELLED so phones remove them."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalog import vocab
from portal.core.clock import to_utc
from portal.db import utcnow
from portal.errors import NotFound
from portal.extensions import db
from portal.visits.models import Visit
from portal.visits.states import CANCELLED, COMPLETED, CONFIRMED, PENDING

STATUS = {PENDING: "TENTATIVE", CANCELLED: "CANCELLED"}


def feed(token: str) -> bytes:
    from icalendar import Calendar, Event

    user = db.session.scalar(sa.select(User).where(User.calendar_token == token)) if token else None
    if user is None or user.mentor_id is None:
        raise NotFound()
    cal = Calendar()
    cal.add("prodid", "-//Nanyang returning-entrepreneur portal//visits//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "创业导师乡村行")
    visits = db.session.scalars(
        sa.select(Visit).where(
            Visit.mentor_id == user.mentor_id, Visit.status.in_((PENDING, CONFIRMED, COMPLETED, CANCELLED))
        )
    ).all()
    stamp = utcnow()
    for visit in visits:
        event = Event()
        event.add("uid", f"visit-{visit.id}@nanyang-returnee-portal")
        event.add("summary", f"创业导师乡村行：{visit.place_name}")
        event.add("dtstart", to_utc(visit.day, visit.start_time))
        event.add("dtend", to_utc(visit.day, visit.end_time))
        event.add("dtstamp", stamp)
        event.add("location", visit.address or visit.place_name)
        event.add("status", STATUS.get(visit.status, "CONFIRMED"))
        event.add("sequence", visit.version)
        event.add("description", "、".join(vocab.label(vocab.EXPERTISE, t) for t in visit.topics or []))
        cal.add_component(event)
    return cal.to_ical()
