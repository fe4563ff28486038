"""What the search index holds for events (this area does not import search; `portal/search/documents.py` reads
this module, as it does stories.search). `public()` says which events search may show — published ones, to come or
past, and finished ones with their outcomes; not drafts, not cancelled ones — and `document(event)` their fields.
Search writes an index event when an event row changes (a flush) and when its lifecycle moves it (the
`event-changed` signal: a status change is a conditional UPDATE no flush sees), so a cancelled event leaves the
index at once."""

from __future__ import annotations

from flask_babel import force_locale, format_date

from portal.catalog.vocab import label
from portal.core.clock import to_local
from portal.events import vocab
from portal.events.models import Event
from portal.events.states import FINISHED, PUBLISHED

ENDPOINT = "events.detail"


def public():
    """What search may show: published and finished events."""
    return Event.status.in_((PUBLISHED, FINISHED))


def document(event: Event) -> dict:
    """Index fields for one event. Labels in Chinese, the language of the content; the day in Beijing time."""
    with force_locale("zh_Hans_CN"):
        day = format_date(to_local(event.starts_at).date(), "long")
        kind = label(vocab.KINDS, event.kind)
        online = "线上活动" if event.place_kind == "online" else ""
        when = f"{day}（已结束）" if event.status == FINISHED else day
        return {
            "title": event.title,
            "body": "\n".join(part for part in (event.description, event.summary or "") if part),
            "county": event.county.name,
            "labels": [kind, "活动", event.place_name, online, event.unit.name, event.unit.short_name or "", day],
            # as the event's own page puts it: an online event is the county's, held online
            "subtitle": " · ".join(part for part in (when, event.county.name, online, kind) if part),
        }
