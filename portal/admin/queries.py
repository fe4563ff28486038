"""Reads for the back office's pages: finding accounts, the units with their counts, the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _

from portal.accounts import services
from portal.accounts.models import ROLES, User
from portal.audit import AuditLog
from portal.catalog.models import County, Unit
from portal.core.clock import BEIJING
from portal.core.guard import ascii_int, parse_day
from portal.core.listing import Page
from portal.extensions import db
from portal.queues import counts
from portal.queues import queries as queue_queries
from portal.queues.models import QueueItem
from portal.queues.states import OPEN

PER_PAGE = 50
EXPORT_CAP = 50_000


@dataclass
class UserSearch:
    name: str = ""
    phone: str = ""
    role: str = ""
    unit: str = ""
    notices: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> UserSearch:
        search = cls(
            name=(args.get("name") or "").strip()[:64],
            phone=(args.get("phone") or "").strip()[:32] if args is request.form else "",
            role=(args.get("role") or "").strip(),
            unit=(args.get("unit") or "").strip()[:48],
        )
        if search.role and search.role not in ROLES:
            search.notices.append(_("没有这个角色，已忽略。"))
            search.role = ""
        if search.phone and not services.valid_phone(services.normalize_phone(search.phone)):
            search.notices.append(_("手机号要填完整的 11 位才能查找。"))
            search.phone = ""
        return search

    @property
    def active(self) -> dict[str, str]:
        return {
            k: v for k, v in (("name", self.name), ("phone", self.phone), ("role", self.role), ("unit", self.unit)) if v
        }


def find_users(search: UserSearch, page: int) -> Page:
    stmt = sa.select(User)
    if search.name:
        stmt = stmt.where(User.name.contains(search.name, autoescape=True))
    if search.phone:
        stmt = stmt.where(User.phone == services.normalize_phone(search.phone))  # compares the keyed hash
    if search.role:
        stmt = stmt.where(User.role == search.role)
    if search.unit:
        stmt = stmt.join(Unit, User.unit_id == Unit.id).where(Unit.code == search.unit)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(User.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Page(items=list(rows), total=total, page=page, per_page=PER_PAGE)


def units() -> list[Unit]:
    return list(db.session.scalars(sa.select(Unit).order_by(Unit.level.desc(), Unit.code)))


def counties() -> list[County]:
    return list(db.session.scalars(sa.select(County).order_by(County.sort)))


def open_items(unit_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(QueueItem)
            .where(QueueItem.unit_id == unit_id, QueueItem.status == OPEN)
        )
        or 0
    )


def unit_load() -> dict[int, tuple[int, int]]:
    """Every unit's open items (from the queues' counters, not the items) and active staff: two statements for
    the whole list."""
    found = {unit: n_open for unit, (n_open, _late) in counts.open_and_overdue(queue_queries.today()).items()}
    staff = dict(
        db.session.execute(
            sa.select(User.unit_id, sa.func.count())
            .where(User.role == "staff", User.active, User.unit_id.is_not(None))
            .group_by(User.unit_id)
        ).all()
    )
    return {unit: (found.get(unit, 0), staff.get(unit, 0)) for unit in {*found, *staff}}


def active_staff(unit_id: int) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(User.unit_id == unit_id, User.role == "staff", User.active)
        )
        or 0
    )


# ---------------------------------------------------------------- the audit log


@dataclass
class AuditFilters:
    who: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    start: str = ""
    end: str = ""
    notices: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> AuditFilters:
        values = {
            name: (args.get(name) or "").strip()[:64]
            for name in ("who", "object_type", "object_id", "action", "start", "end")
        }
        filters = cls(**values)
        for name in ("start", "end"):
            raw = getattr(filters, name)
            if raw and parse_day(raw) is None:
                filters.notices.append(
                    _("日期“%(value)s”看不懂，已忽略；请按 年-月-日 填写，例如 2026-05-08。", value=raw)
                )
                setattr(filters, name, "")
        return filters

    @property
    def active(self) -> dict[str, str]:
        names = ("who", "object_type", "object_id", "action", "start", "end")
        return {name: getattr(self, name) for name in names if getattr(self, name)}


def _day_start(day: date) -> datetime:
    """Midnight of a Beijing day in UTC, as the times are stored (SQLite compares them as text)."""
    return datetime.combine(day, time(0), tzinfo=BEIJING).astimezone(UTC)


def audit_select(filters: AuditFilters) -> sa.Select:
    stmt = sa.select(AuditLog)
    if filters.who:
        actor_id = ascii_int(filters.who, 1)
        if actor_id is not None:
            stmt = stmt.where(AuditLog.actor_id == actor_id)
        else:
            names = sa.select(User.id).where(User.name.contains(filters.who, autoescape=True))
            stmt = stmt.where(AuditLog.actor_id.in_(names))
    if filters.object_type:
        stmt = stmt.where(AuditLog.object_type == filters.object_type)
    if filters.object_id:
        stmt = stmt.where(AuditLog.object_id == filters.object_id)
    if filters.action:
        stmt = stmt.where(AuditLog.action.startswith(filters.action, autoescape=True))
    if filters.start:
        stmt = stmt.where(AuditLog.at >= _day_start(parse_day(filters.start)))
    if filters.end:
        stmt = stmt.where(AuditLog.at < _day_start(parse_day(filters.end) + timedelta(days=1)))
    return stmt


def audit_page(filters: AuditFilters, page: int) -> Page:
    stmt = audit_select(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    page = min(page, max(1, -(-total // PER_PAGE)))  # past the last page (an old link, a typed number): the last
    rows = db.session.scalars(stmt.order_by(AuditLog.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return Page(items=list(rows), total=total, page=page, per_page=PER_PAGE)


def audit_rows(filters: AuditFilters, cap: int | None = None) -> tuple[list[AuditLog], bool]:
    """The filtered rows, newest first, at most `cap` (EXPORT_CAP) of them; and whether there were more."""
    cap = cap or EXPORT_CAP
    rows = db.session.scalars(audit_select(filters).order_by(AuditLog.id.desc()).limit(cap + 1)).all()
    return list(rows[:cap]), len(rows) > cap


def actor_names(rows: list[AuditLog]) -> dict[int, str]:
    ids = {r.actor_id for r in rows if r.actor_id}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())
