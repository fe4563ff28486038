"""What the search index holds for each kind of record, built from the database (the truth)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import selectinload

from portal.catalog import vocab
from portal.catalog.models import IncubationBase, Mentor, Park, Project, Unit
from portal.events import search as events_search
from portal.events.models import Event
from portal.extensions import db
from portal.policies.models import Policy
from portal.search.snippets import readable_text
from portal.stories import search as stories_search
from portal.stories.models import Story

KIND_LABELS = vocab.SEARCH_KINDS
CITYWIDE = "全市"
TEXT_CHARS = 8000  # of readable text kept for snippets


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    endpoint: str
    options: tuple = ()
    key: str = "slug"  # the column naming a record in index events and document ids ("id" for stories)
    url_arg: str = "slug"  # the endpoint's argument
    public: Callable | None = None  # what is public (default: `visible`)

    def where_public(self):
        return self.public() if self.public else self.model.visible.is_(True)

    def key_of(self, obj) -> str | None:
        value = getattr(obj, self.key)
        return None if value is None else str(value)

    def url_args(self, key: str) -> dict:
        return {self.url_arg: int(key) if self.key == "id" else key}


KINDS = {
    "policy": Kind("policy", Policy, "policies.detail"),
    "base": Kind("base", IncubationBase, "catalog.bases_detail", (selectinload(IncubationBase.county),)),
    "park": Kind("park", Park, "catalog.parks_detail", (selectinload(Park.county),)),
    "project": Kind("project", Project, "catalog.projects_detail", (selectinload(Project.county),)),
    "mentor": Kind(
        "mentor",
        Mentor,
        "catalog.mentors_detail",
        (selectinload(Mentor.counties), selectinload(Mentor.expertise_rows)),
    ),
    # Success stories (portal/stories): public once published; their own area says which (stories.search).
    "story": Kind(
        "story", Story, stories_search.ENDPOINT, (selectinload(Story.county),), "id", "story_id", stories_search.public
    ),
    # Events (portal/events): published and finished ones; their own area says which (events.search).
    "event": Kind(
        "event",
        Event,
        events_search.ENDPOINT,
        (selectinload(Event.county), selectinload(Event.unit), selectinload(Event.base), selectinload(Event.park)),
        "id",
        "event_id",
        events_search.public,
    ),
}

_MARKDOWN_NOISE = re.compile(r"[#>*_`|\[\]()-]+")


def _zh(table: dict, code: str | None) -> str:
    return vocab.label(table, code)


def _unit_names(codes: list[str]) -> list[str]:
    if not codes:
        return []
    rows = db.session.execute(sa.select(Unit.name, Unit.short_name).where(Unit.code.in_(codes)))
    return [name for row in rows for name in row]


def to_document(kind: str, obj) -> dict:
    """Index fields for one record. Labels are indexed in Chinese, the language of the content."""
    if kind == "story":
        return _story_document(obj)
    if kind == "event":
        return _event_document(obj)
    with force_locale("zh_Hans_CN"):
        tags = list(obj.tags or [])
        meta: list[str] = []
        counties: list[str] = []
        body_parts = [obj.description or ""]
        readable = [obj.description or ""]
        subtitle_parts: list[str] = []
        if kind == "policy":
            body_parts += [*obj.eligibility, *obj.benefits, *obj.how_to_apply, _MARKDOWN_NOISE.sub(" ", obj.body)]
            readable += [*obj.benefits, *obj.eligibility, *obj.how_to_apply, obj.body]
            meta += [obj.issuer, obj.doc_number or "", _zh(vocab.POLICY_CATEGORIES, obj.category)]
            meta += _unit_names(obj.units or [])
            counties = [CITYWIDE]
            subtitle_parts = [obj.doc_number or obj.issuer]
        elif kind == "base":
            tags += list(obj.services or [])
            meta += [_zh(vocab.BASE_TYPES, obj.type), _zh(vocab.LEVELS, obj.level), obj.operator, obj.address]
            counties = [obj.county.name]
            subtitle_parts = [obj.county.name, _zh(vocab.BASE_TYPES, obj.type)]
        elif kind in {"park", "project"}:
            meta += [_zh(vocab.INDUSTRIES, obj.industry), _zh(vocab.LEVELS, obj.level)]
            meta += [obj.address] if kind == "park" else [obj.company]
            counties = [obj.county.name]
            subtitle_parts = [obj.county.name, _zh(vocab.INDUSTRIES, obj.industry)]
        elif kind == "mentor":
            labels = [_zh(vocab.EXPERTISE, code) for code in obj.expertise]
            tags += labels
            meta += [obj.title, obj.organisation or "", "创业导师"]
            if obj.accepts_visits:
                meta += ["创业导师乡村行", "乡村行"]
            counties = [CITYWIDE] if obj.citywide else [c.name for c in obj.counties]
            meta += counties
            subtitle_parts = [obj.title]
        meta += counties
    return {
        "id": f"{kind}:{obj.slug}",  # catalog kinds and guides are named by slug
        "kind": kind,
        "slug": obj.slug,
        "title": obj.name,
        "body": searchable_text("\n".join(p for p in body_parts if p), obj.name, tags, meta),
        "text": readable_text(*readable)[:TEXT_CHARS],
        "county": ",".join(counties),
        "subtitle": " · ".join(p for p in subtitle_parts if p),
        "sample": bool(obj.sample),
    }


def _story_document(story) -> dict:
    found = stories_search.document(story)
    labels = [found["county"], found["industry"], "返乡创业故事", "先进典型"]
    return {
        "id": f"story:{story.id}",
        "kind": "story",
        "slug": str(story.id),
        "title": story.title,
        "body": searchable_text(found["body"], story.title, [], labels),
        "text": readable_text(story.body)[:TEXT_CHARS],
        "county": found["county"],
        "subtitle": " · ".join(p for p in (found["county"], found["industry"]) if p),
        "sample": bool(story.demo),
    }


def _event_document(event) -> dict:
    found = events_search.document(event)
    return {
        "id": f"event:{event.id}",
        "kind": "event",
        "slug": str(event.id),
        "title": event.title,
        "body": searchable_text(found["body"], event.title, [], found["labels"]),
        "text": readable_text(found["body"])[:TEXT_CHARS],
        "county": found["county"],
        "subtitle": found["subtitle"],
        "sample": bool(event.sample),
    }


def searchable_text(body: str, title: str, tags: list[str], meta: list[str]) -> str:
    """The one field every query searches: the text first (snippets come from it), then title, tags and labels."""
    return "\n".join(part for part in (body, title, " ".join(tags), " ".join(m for m in meta if m)) if part)


def load(kind: str, key: str):
    """The published record, or None (deleted, or unpublished: then it leaves the index)."""
    spec = KINDS[kind]
    if spec.key == "id" and not key.isdigit():
        return None
    value = int(key) if spec.key == "id" else key
    stmt = sa.select(spec.model).where(getattr(spec.model, spec.key) == value, spec.where_public())
    return db.session.scalar(stmt.options(*spec.options))


def iter_all(batch: int = 200) -> Iterator[tuple[str, object]]:
    for kind, spec in KINDS.items():
        stmt = sa.select(spec.model).where(spec.where_public()).order_by(spec.model.id).options(*spec.options)
        for obj in db.session.scalars(stmt.execution_options(yield_per=batch)):
            yield kind, obj


def count_all() -> int:
    return sum(
        db.session.scalar(sa.select(sa.func.count()).select_from(spec.model).where(spec.where_public())) or 0
        for spec in KINDS.values()
    )
