"""The public events feed (RFC 5545), for phones and office calendars: each event with its times in UTC (so no
VTIMEZONE is needed), SEQUENCE growing with each change of time, cancelled events kept as STATUS:CANCELLED so
calendars remove them. A single event's file uses the same writer."""

from __future__ import annotations

from flask import url_for

from portal.db import utcnow
from portal.events import vocab
from portal.events.models import Event
from portal.events.queries import aware
from portal.events.states import CANCELLED


def feed(events: list[Event]) -> bytes:
    from icalendar import Calendar
    from icalendar import Event as Entry

    cal = Calendar()
    cal.add("prodid", "-//Nanyang returning-entrepreneur portal//events//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "南阳返乡创业活动")
    stamp = utcnow()
    for event in events:
        entry = Entry()
        entry.add("uid", f"event-{event.id}@nanyang-returnee-portal")
        entry.add("summary", f"{vocab.label(vocab.KINDS, event.kind)}：{event.title}")
        entry.add("dtstart", aware(event.starts_at))
        entry.add("dtend", aware(event.ends_at))
        entry.add("dtstamp", stamp)
        entry.add("location", event.online_url or event.address or event.place_name)
        entry.add("status", "CANCELLED" if event.status == CANCELLED else "CONFIRMED")
        entry.add("sequence", event.version)
        entry.add("url", url_for("events.detail", event_id=event.id, _external=True))
        entry.add("description", (event.description or "")[:1000])
        cal.add_component(entry)
    return cal.to_ical()
