"""The full-personal-data permission: a grant with a reason and an expiry, the one answer to "may this person see
full 身份证号 and phone numbers?" (`may_see_full_data`), asked by every page and export that shows them."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import DataAccessGrant, User
from portal.core.clock import today  # a grant works through its last day as people in Nanyang count days
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition
from portal.extensions import db

FULL_DATA_ROLES = ("staff", "office", "admin")
MAX_DAYS = 366  # a grant runs a year at most (a leap year's 366 days)
REASON_MIN, REASON_MAX = 4, 500


def _working(user_id: int) -> sa.Select:
    return sa.select(DataAccessGrant).where(
        DataAccessGrant.user_id == user_id,
        DataAccessGrant.revoked_at.is_(None),
        DataAccessGrant.expires_on >= today(),
    )


def may_see_full_data(user) -> bool:
    """True only for an active staff, office or admin account holding an unexpired, unrevoked grant."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    if user.role not in FULL_DATA_ROLES:
        return False
    return db.session.scalar(sa.select(_working(user.id).exists())) or False


def working_grant(user: User) -> DataAccessGrant | None:
    return db.session.scalars(_working(user.id).order_by(DataAccessGrant.expires_on.desc()).limit(1)).first()


def grants_of(user: User) -> list[DataAccessGrant]:
    return list(
        db.session.scalars(
            sa.select(DataAccessGrant).where(DataAccessGrant.user_id == user.id).order_by(DataAccessGrant.id.desc())
        )
    )


def latest_expiry() -> date:
    return today() + timedelta(days=MAX_DAYS)


def grant(user: User, actor: User | None, reason: str, expires_on: date | None) -> DataAccessGrant:
    """Give `user` the permission until `expires_on` (inclusive). Audited."""
    if user.role not in FULL_DATA_ROLES:
        raise InvalidInput(_("只有工作人员、领导小组办公室和管理员可以查看完整的个人信息。"), field="reason")
    if not user.active:
        raise InvalidTransition(_("账号已停用，不能授权。"))
    reason = (reason or "").strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput(_("请写明授权理由（4 到 500 个字）。"), field="reason")
    if expires_on is None:
        raise InvalidInput(_("请按“年-月-日”填写截止日期。"), field="expires_on")
    if expires_on < today() or expires_on > latest_expiry():
        raise InvalidInput(
            _("截止日期应在今天到 %(last)s 之间（最长一年）。", last=latest_expiry().isoformat()), field="expires_on"
        )
    row = DataAccessGrant(
        user_id=user.id, granted_by_id=getattr(actor, "id", None), reason=reason, expires_on=expires_on
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "data_access.grant",
        "user",
        user.id,
        after={"grant": row.id, "reason": reason, "expires_on": expires_on.isoformat()},
    )
    return row


def revoke(row: DataAccessGrant, actor: User | None) -> DataAccessGrant:
    if row.revoked_at is not None:
        raise InvalidTransition(_("这项授权已经撤销过了。"))
    row.revoked_at, row.revoked_by_id = utcnow(), getattr(actor, "id", None)
    audit.record(
        actor,
        "data_access.revoke",
        "user",
        row.user_id,
        before={"grant": row.id, "expires_on": row.expires_on.isoformat()},
        after={"grant": row.id, "revoked": True},
    )
    return row
