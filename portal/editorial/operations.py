"""Writes of content editing: drafts, their review moves, publication (with its optimistic lock), restore and
unpublication. Views, tests and any later user (the routing rules' review) call these, never the tables."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.content import entries
from portal.core.access import require
from portal.db import utcnow
from portal.editorial.models import ContentChange, ContentVersion
from portal.editorial.states import CHANGE, OPEN
from portal.errors import InvalidInput, InvalidTransition, NotFound
from portal.extensions import db


class FieldErrors(InvalidInput):
    """Several field messages at once; `errors` maps field name to message (shown at the fields)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


class StaleChange(InvalidTransition):
    """The entry was published by someone else since this change was drafted: publishing it would overwrite."""


def check(kind: str, raw: dict, key: str | None) -> dict:
    """Check an entry as `content load` would; raise FieldErrors with the same messages."""
    if kind not in entries.KINDS:
        raise NotFound()
    if key is not None:
        raw = {**raw, "slug": key}  # a published entry's slug is its URL: it never changes
    data, errors = entries.check_entry(kind, raw)
    if not errors:
        errors = entries.check_references(kind, data)
    if not errors and key is None and entries.find(kind, data["slug"]) is not None:
        errors["slug"] = _("slug “%(value)s” 重复（第一次出现在 %(where)s）", value=data["slug"], where=kind)
    if errors:
        raise FieldErrors(errors)
    return entries.canonical(kind, data)


def _live(kind: str, key: str):
    return entries.find(kind, key) if kind in entries.KINDS else None


def draft(user, kind: str, raw: dict, key: str | None = None, *, submit: bool = False) -> ContentChange:
    """A new change to the entry `key` (None: a new entry), based on its version now."""
    require(user, "editorial.edit")
    data = check(kind, raw, key)
    obj = _live(kind, key) if key else None
    if key is not None and obj is None:
        raise NotFound()
    change = ContentChange(
        kind=kind,
        key=data["slug"],
        op="edit",
        data=data,
        base_version=obj.version if obj else 0,
        base_data=entries.entry_data(kind, obj) if obj else None,
        status=CHANGE.initial,
        author_id=user.id,
    )
    db.session.add(change)
    db.session.flush()
    _audit_created(user, change)
    if submit:
        CHANGE.apply(change, "submit", user)
    return change


def _audit_created(user, change: ContentChange) -> None:
    from portal import audit

    audit.record(
        user,
        "content_change.create",
        "content_change",
        change.id,
        after={"kind": change.kind, "key": change.key, "op": change.op, "base_version": change.base_version},
    )


def update(user, change: ContentChange, raw: dict, *, submit: bool = False) -> ContentChange:
    """Change the author's draft (a new entry's slug may still change; a published one's never does)."""
    require(user, "content_change.draft", change)
    data = check(change.kind, raw, change.key if change.base_version else None)
    change.data = data
    change.key = data["slug"]
    if submit:
        CHANGE.apply(change, "submit", user)
    return change


def move(user, change: ContentChange, action: str, note: str = "") -> str:
    """submit, recall, withdraw (the author), reject (a second editor, with a note)."""
    rules = {"submit": "content_change.draft", "recall": "content_change.own", "withdraw": "content_change.withdraw"}
    require(user, rules.get(action, "content_change.review"), change)
    if action not in ("submit", "recall", "withdraw", "reject"):
        raise NotFound()
    values: dict[str, Any] = {}
    if action == "reject":
        note = (note or "").strip()
        if not note:
            raise FieldErrors({"note": _("请写明退回的原因，作者会看到。")})
        values = {"review_note": note[:2000], "reviewer_id": user.id}
    return CHANGE.apply(change, action, user, values=values, audit_after={"note": note} if note else None)


def stale(change: ContentChange) -> bool:
    """Whether the entry was published (or created) by someone else since this change was drafted."""
    obj = _live(change.kind, change.key)
    return (obj.version if obj else 0) != change.base_version


def _snapshot_loaded(kind: str, obj) -> None:
    """Keep the version `content load` left, before the portal's first publication replaces it."""
    exists = db.session.scalar(
        sa.select(ContentVersion.id).where(
            ContentVersion.kind == kind, ContentVersion.key == obj.slug, ContentVersion.version == obj.version
        )
    )
    if exists is None:
        db.session.add(
            ContentVersion(
                kind=kind,
                key=obj.slug,
                version=obj.version,
                op="load",
                data=entries.entry_data(kind, obj),
                visible=obj.visible,
                note=_("由 content/ 文件载入"),
            )
        )


def publish(user, change: ContentChange) -> ContentVersion:
    """Apply the change to the live entry, as one new version, unless the entry moved on since it was drafted."""
    require(user, "content_change.review", change)
    kind = change.kind
    obj = _live(kind, change.key)
    current = obj.version if obj else 0
    if current != change.base_version or (obj is None and change.op != "edit"):
        raise StaleChange(
            _("这一条目在您审核的修改起草之后已被别人发布过新版本，不能覆盖。请看下面的差异，退回或让作者重新起草。")
        )
    if obj is not None:
        _snapshot_loaded(kind, obj)
    if change.op == "edit":
        obj, _outcome = entries.upsert_entry(kind, change.data, entries.Lookups())
        values = {"visible": True, "hidden_reason": None}
    else:
        values = {"visible": False, "hidden_reason": change.reason}
    entries.assign(obj, {**values, "changed_in_portal_at": utcnow()})
    db.session.flush()
    model = entries.MODELS[kind]
    version = current + 1
    # The optimistic lock itself: of two publications over the same version, exactly one moves it on.
    moved = db.session.execute(
        sa.update(model)
        .where(model.id == obj.id, model.version == (current if current else obj.version))
        .values(version=version)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise StaleChange(_("刚刚有人发布了这一条目的另一个版本，请刷新后再看。"))
    db.session.refresh(obj)
    published = ContentVersion(
        kind=kind,
        key=change.key,
        version=version,
        op=change.op,
        data=entries.entry_data(kind, obj),
        visible=obj.visible,
        note=change.reason,
        change_id=change.id,
        author_id=change.author_id,
        published_by_id=user.id,
    )
    db.session.add(published)
    CHANGE.apply(
        change,
        "publish",
        user,
        values={"reviewer_id": user.id, "published_version": version},
        audit_after={"version": version},
    )
    return published


def unpublish(user, kind: str, key: str, reason: str) -> ContentChange:
    """Ask to take an entry off the public pages and search; a second editor publishes the request."""
    require(user, "editorial.edit")
    obj = _live(kind, key)
    if obj is None:
        raise NotFound()
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": _("请写明撤下的原因。")})
    change = ContentChange(
        kind=kind,
        key=key,
        op="unpublish",
        base_version=obj.version,
        base_data=entries.entry_data(kind, obj),
        reason=reason[:2000],
        status=CHANGE.initial,
        author_id=user.id,
    )
    db.session.add(change)
    db.session.flush()
    _audit_created(user, change)
    CHANGE.apply(change, "submit", user)
    return change


def restore(user, kind: str, key: str, version: int) -> ContentChange:
    """A new draft holding an old version's data; it is published like any other change, by a second editor."""
    require(user, "editorial.edit")
    old = db.session.scalar(
        sa.select(ContentVersion).where(
            ContentVersion.kind == kind, ContentVersion.key == key, ContentVersion.version == version
        )
    )
    obj = _live(kind, key)
    if old is None or obj is None:
        raise NotFound()
    change = ContentChange(
        kind=kind,
        key=key,
        op="edit",
        data=old.data,
        base_version=obj.version,
        base_data=entries.entry_data(kind, obj),
        restored_from=version,
        status=CHANGE.initial,
        author_id=user.id,
    )
    db.session.add(change)
    db.session.flush()
    _audit_created(user, change)
    return change


def open_changes_of(kind: str, key: str) -> list[ContentChange]:
    stmt = sa.select(ContentChange).where(
        ContentChange.kind == kind, ContentChange.key == key, ContentChange.status.in_(OPEN)
    )
    return list(db.session.scalars(stmt.order_by(ContentChange.id)))
