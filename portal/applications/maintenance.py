"""Keeping stored applications tidy: expired drafts go, and stored bytes match their attachment rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from portal import audit
from portal.applications import states
from portal.applications.models import Application, Attachment
from portal.applications.storage import storage
from portal.db import utcnow
from portal.extensions import db


def purge_drafts(days: int) -> int:
    """Delete drafts nobody has changed for `days` days, with their attachments and bytes. The caller commits."""
    cutoff = utcnow() - timedelta(days=days)
    drafts = db.session.scalars(
        sa.select(Application).where(Application.state == states.DRAFT, Application.updated_at < cutoff)
    ).all()
    store = storage()
    for application in drafts:
        for attachment in application.attachments:
            store.delete(attachment.stored_name)
        audit.record(
            None,
            "application.draft_expire",
            "application",
            application.id,
            before={"type": application.type, "attachments": len(application.attachments)},
        )
        db.session.delete(application)
    db.session.flush()
    return len(drafts)


@dataclass(frozen=True)
class Problem:
    key: str
    what: str

    def __str__(self) -> str:
        return f"{self.key}: {self.what}"


def check_files() -> list[Problem]:
    """Every inconsistency between attachment rows and stored bytes (missing, orphaned, size or sha256 differ)."""
    store = storage()
    stored = set(store.keys())
    problems: list[Problem] = []
    rows = db.session.execute(
        sa.select(Attachment.id, Attachment.stored_name, Attachment.size, Attachment.sha256).order_by(Attachment.id)
    ).all()
    named = set()
    for attachment_id, key, size, sha256 in rows:
        named.add(key)
        if key not in stored:
            problems.append(Problem(key, f"attachment {attachment_id} has no stored bytes"))
            continue
        data = store.get(key) or b""
        if len(data) != size:
            problems.append(Problem(key, f"attachment {attachment_id}: size {size}, stored {len(data)} bytes"))
        elif hashlib.sha256(data).hexdigest() != sha256:
            problems.append(Problem(key, f"attachment {attachment_id}: sha256 differs from the stored bytes"))
    problems.extend(Problem(key, "stored bytes without an attachment") for key in sorted(stored - named))
    return problems
