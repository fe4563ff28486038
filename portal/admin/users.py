"""What an administrator does to accounts: create (the person sets their own password from an SMS code),
deactivate, reactivate, move a staff member to another unit, give and revoke the full-personal-data grant.
Every change is audited (phone numbers masked by audit.scrub)."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts import grants, services
from portal.accounts.models import DataAccessGrant, User
from portal.admin import handover
from portal.admin.errors import FieldErrors
from portal.admin.forms import NEW_ROLES
from portal.catalog.models import Mentor, Unit
from portal.core.access import require
from portal.errors import InvalidInput, InvalidTransition, NotFound
from portal.extensions import db


def account(actor: User, user_id: int, check: str = "admin.manage") -> User:
    """The account, if the administrator may do `check` to it; 404 otherwise."""
    require(actor, "admin.manage")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return require(actor, check, user)


def create(actor: User, role: str, name: str, phone: str, unit_code: str, lead: bool, mentor_slug: str) -> User:
    """A new account with a password no one knows; an SMS carries a code with which the person sets their own."""
    require(actor, "admin.manage")
    problems = {}
    if role not in NEW_ROLES:
        problems["role"] = _("请选择角色。")
    if role == "staff" and not unit_code:
        problems["unit"] = _("工作人员必须属于一个单位。")
    if role == "mentor" and not mentor_slug:
        problems["mentor"] = _("导师账号必须关联导师库里的一位导师。")
    if problems:
        raise FieldErrors(problems)
    try:
        user = services.create_user(
            role,
            phone,
            name,
            secrets.token_urlsafe(32),  # never shown, never used: the person sets a password from the SMS code
            unit_code=unit_code or None,
            mentor_slug=mentor_slug if role == "mentor" else None,
            actor=actor,
            unit_lead=lead and role == "staff",
        )
    except (InvalidInput, NotFound) as exc:
        raise FieldErrors({exc.details.get("field", "phone"): exc.message}) from None
    services.send_setup_code(user, actor)
    return user


def deactivate(actor: User, user_id: int) -> User:
    """The account stops working at once: its sessions end and the open items it claimed go back to its unit."""
    user = account(actor, user_id, "admin.user.deactivate")
    if not user.active:
        raise InvalidTransition(_("这个账号已经停用了。"))
    user.active = False
    user.session_version += 1
    released = handover.release_claimed(user, actor, "deactivated")
    audit.record(
        actor,
        "user.deactivate",
        "user",
        user.id,
        before={"active": True},
        after={"active": False, "released": released},
    )
    return user


def reactivate(actor: User, user_id: int) -> User:
    user = account(actor, user_id, "admin.user.deactivate")
    if user.active:
        raise InvalidTransition(_("这个账号没有停用。"))
    user.active = True
    audit.record(actor, "user.reactivate", "user", user.id, before={"active": False}, after={"active": True})
    return user


def change_unit(actor: User, user_id: int, unit_code: str, lead: bool) -> User:
    """Move a staff member: their open claimed items stay with the old unit, back in its queue."""
    user = account(actor, user_id, "admin.user.edit")
    if user.role != "staff":
        raise InvalidTransition(_("只有单位工作人员可以调整单位。"))
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise FieldErrors({"unit": _("请从列表里选择单位。")})
    before = {"unit": user.unit.code if user.unit else None, "lead": user.is_unit_lead}
    if unit.id == user.unit_id and lead == user.is_unit_lead:
        raise FieldErrors({"unit": _("单位和负责人都没有变化。")})
    released = handover.release_claimed(user, actor, "moved") if unit.id != user.unit_id else 0
    user.unit, user.is_unit_lead = unit, lead
    audit.record(
        actor,
        "user.change_unit",
        "user",
        user.id,
        before=before,
        after={"unit": unit.code, "lead": lead, "released": released},
    )
    return user


def give_grant(actor: User, user_id: int, reason: str, expires_on: date | None) -> DataAccessGrant:
    user = account(actor, user_id, "admin.user.edit")
    try:
        return grants.grant(user, actor, reason, expires_on)
    except InvalidInput as exc:
        raise FieldErrors({exc.details.get("field", "reason"): exc.message}) from None


def revoke_grant(actor: User, user_id: int, grant_id: int) -> DataAccessGrant:
    user = account(actor, user_id, "admin.user.edit")
    row = db.session.get(DataAccessGrant, grant_id)
    if row is None or row.user_id != user.id:
        raise NotFound()
    return grants.revoke(row, actor)


def unlinked_mentors() -> list[Mentor]:
    """Directory entries no account is linked to yet (a mentor has one account)."""
    linked = sa.select(User.mentor_id).where(User.mentor_id.is_not(None))
    return list(db.session.scalars(sa.select(Mentor).where(Mentor.id.not_in(linked)).order_by(Mentor.name)))
