"""The audit log: who changed what, when, from which state to which."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow
from portal.extensions import db


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)


# A 身份证号 (17 digits and a digit or X) or a mainland mobile number standing on its own (not inside a hash).
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def _mask(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: m.group(0)[:4] + "*" * 10 + m.group(0)[-4:], text)
    return MOBILE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)


def scrub(value: Any) -> Any:
    """The value with every personal number in it masked: audit rows say what changed, never the number itself."""
    if isinstance(value, str):
        return _mask(value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def record(actor, action: str, obj_type: str, obj_id: Any, before: dict | None = None, after: dict | None = None):
    """Add an audit row to the current transaction (it commits or rolls back with the change)."""
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        before=scrub(before),
        after=scrub(after),
    )
    db.session.add(entry)
    return entry


def record_read(actor, action: str, obj_type: str, obj_id: Any, after: dict | None = None) -> None:
    """Audit a read of personal data (written after the page's read transaction, never making it a write)."""
    from portal.core.transaction import audit_read

    audit_read(actor, action, obj_type, obj_id, after)
