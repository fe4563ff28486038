"""Turns every flush that touches a searchable record into index events in the same transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.catalog.models import Mentor, MentorExpertise
from portal.search.documents import KINDS
from portal.search.models import IndexEvent

KIND_OF = {spec.model: spec for spec in KINDS.values()}


def _changes(session: Session) -> dict[tuple[str, str], str]:
    changes: dict[tuple[str, str], str] = {}
    for obj in session.new:
        spec = KIND_OF.get(type(obj))
        if spec and spec.key_of(obj):  # a story has no id before its insert: a new one is never published yet
            changes[(spec.name, spec.key_of(obj))] = "upsert"
    for obj in session.dirty:
        spec = KIND_OF.get(type(obj))
        if spec and spec.key_of(obj) and session.is_modified(obj, include_collections=True):
            changes[(spec.name, spec.key_of(obj))] = "upsert"
            history = sa.inspect(obj).attrs[spec.key].history
            for old in history.deleted or ():
                if old is not None:
                    changes[(spec.name, str(old))] = "delete"
    for obj in session.deleted:
        spec = KIND_OF.get(type(obj))
        if spec and spec.key_of(obj):
            changes[(spec.name, spec.key_of(obj))] = "delete"
        elif isinstance(obj, MentorExpertise):
            mentor = session.get(Mentor, obj.mentor_id)
            if mentor is not None and mentor not in session.deleted:
                changes[("mentor", mentor.slug)] = "upsert"
    return changes


def _record_index_events(session: Session, flush_context, instances) -> None:
    for (kind, key), op in _changes(session).items():
        session.add(IndexEvent(kind=kind, slug=key, op=op))


def _moved(kind: str):
    def receiver(record, **_ignored) -> None:
        """A lifecycle moves a story's or an event's status with a conditional UPDATE, which no flush sees:
        publishing, cancelling and taking down come here instead, in the same transaction."""
        from portal.extensions import db

        db.session.add(IndexEvent(kind=kind, slug=str(record.id), op="upsert"))

    return receiver


_story_moved, _event_moved = _moved("story"), _moved("event")


def init_app(app) -> None:
    from portal.events.states import EVENT
    from portal.stories.states import STORY

    if not sa.event.contains(Session, "before_flush", _record_index_events):
        sa.event.listen(Session, "before_flush", _record_index_events)
    STORY.signal.connect(_story_moved)
    EVENT.signal.connect(_event_moved)
