"""Turns every flush that touches a searchable record into index events in the same transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.catalog.models import IncubationBase, Mentor, MentorExpertise, Park, Project
from portal.policies.models import Policy
from portal.search.models import IndexEvent

KIND_OF = {Policy: "policy", IncubationBase: "base", Park: "park", Project: "project", Mentor: "mentor"}


def _changes(session: Session) -> dict[tuple[str, str], str]:
    changes: dict[tuple[str, str], str] = {}
    for obj in session.new:
        kind = KIND_OF.get(type(obj))
        if kind and obj.slug:
            changes[(kind, obj.slug)] = "upsert"
    for obj in session.dirty:
        kind = KIND_OF.get(type(obj))
        if kind and session.is_modified(obj, include_collections=True):
            changes[(kind, obj.slug)] = "upsert"
            history = sa.inspect(obj).attrs.slug.history
            for old in history.deleted or ():
                changes[(kind, old)] = "delete"
    for obj in session.deleted:
        kind = KIND_OF.get(type(obj))
        if kind:
            changes[(kind, obj.slug)] = "delete"
        elif isinstance(obj, MentorExpertise):
            mentor = session.get(Mentor, obj.mentor_id)
            if mentor is not None and mentor not in session.deleted:
                changes[("mentor", mentor.slug)] = "upsert"
    return changes


def _record_index_events(session: Session, flush_context, instances) -> None:
    for (kind, slug), op in _changes(session).items():
        session.add(IndexEvent(kind=kind, slug=slug, op=op))


def init_app(app) -> None:
    if not sa.event.contains(Session, "before_flush", _record_index_events):
        sa.event.listen(Session, "before_flush", _record_index_events)
