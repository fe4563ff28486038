"""Reads for the editorial pages: the desk, an entry list per kind, an entry's history, and readable diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.content import entries
from portal.content.export import _dump, file_form
from portal.core.access import require
from portal.editorial.models import ContentChange, ContentVersion
from portal.editorial.states import OPEN, SUBMITTED
from portal.errors import NotFound
from portal.extensions import db

LIMIT = 200


def desk(user) -> dict[str, list[ContentChange]]:
    """Changes waiting for a second editor (not the reader's own), the reader's open drafts, the latest decisions."""
    require(user, "editorial.read")
    base = sa.select(ContentChange).options(selectinload(ContentChange.author))
    waiting = base.where(ContentChange.status == SUBMITTED, ContentChange.author_id != user.id)
    mine = base.where(ContentChange.status.in_(OPEN), ContentChange.author_id == user.id)
    recent = base.where(ContentChange.status.not_in(OPEN))
    return {
        "waiting": list(db.session.scalars(waiting.order_by(ContentChange.updated_at).limit(LIMIT))),
        "mine": list(db.session.scalars(mine.order_by(ContentChange.updated_at.desc()).limit(LIMIT))),
        "recent": list(db.session.scalars(recent.order_by(ContentChange.updated_at.desc()).limit(20))),
    }


def entry_list(user, kind: str, q: str = "") -> list:
    """Every entry of a kind, published or not, by name; `q` narrows by name or slug."""
    require(user, "editorial.read")
    if kind not in entries.MODELS:
        raise NotFound()
    model = entries.MODELS[kind]
    stmt = sa.select(model)
    q = (q or "").strip()[:100]
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(sa.or_(model.name.like(like), model.slug.like(like)))
    return list(db.session.scalars(stmt.order_by(model.visible.desc(), model.name, model.slug).limit(500)))


def entry(user, kind: str, key: str):
    require(user, "editorial.read")
    obj = entries.find(kind, key) if kind in entries.MODELS else None
    if obj is None:
        raise NotFound()
    return obj


def change(user, change_id: int) -> ContentChange:
    found = db.session.get(ContentChange, change_id)
    return require(user, "content_change.view", found)


def versions(kind: str, key: str) -> list[ContentVersion]:
    stmt = (
        sa.select(ContentVersion)
        .where(ContentVersion.kind == kind, ContentVersion.key == key)
        .options(selectinload(ContentVersion.published_by), selectinload(ContentVersion.author))
        .order_by(ContentVersion.version.desc())
    )
    return list(db.session.scalars(stmt))


def version(kind: str, key: str, number: int) -> ContentVersion:
    found = db.session.scalar(
        sa.select(ContentVersion).where(
            ContentVersion.kind == kind, ContentVersion.key == key, ContentVersion.version == number
        )
    )
    if found is None:
        raise NotFound()
    return found


def changes_of(kind: str, key: str) -> list[ContentChange]:
    stmt = sa.select(ContentChange).where(ContentChange.kind == kind, ContentChange.key == key)
    return list(db.session.scalars(stmt.order_by(ContentChange.id.desc()).limit(50)))


def live_data(kind: str, key: str) -> dict | None:
    obj = entries.find(kind, key)
    return entries.entry_data(kind, obj) if obj else None


# ---------------------------------------------------------------- diffs


def as_text(kind: str, data: dict | None) -> list[str]:
    """An entry as the lines of its content file (YAML, then a guide's Markdown body): what a diff compares."""
    if not data:
        return []
    text = _dump(file_form(kind, data))
    if kind == "policies":
        text += "---\n" + (data.get("body") or "")
    return text.splitlines()


@dataclass
class DiffLine:
    sign: str  # "+", "-", " " or "@" (a jump to another part of the entry)
    text: str


def diff(kind: str, old: dict | None, new: dict | None, context: int = 3) -> list[DiffLine]:
    lines = []
    for raw in difflib.unified_diff(as_text(kind, old), as_text(kind, new), lineterm="", n=context):
        if raw.startswith(("---", "+++")):
            continue
        if raw.startswith("@@"):
            lines.append(DiffLine("@", "…"))
        else:
            lines.append(DiffLine(raw[:1] or " ", raw[1:]))
    return lines
