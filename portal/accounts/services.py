"""Account rules: registration with a one-time code, login checks, password change and reset."""

from __future__ import annotations

import contextlib
import re
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext as _

from portal import audit
from portal.accounts import grants
from portal.accounts.grants import FULL_DATA_ROLES, may_see_full_data  # noqa: F401  (the one answer, asked here too)
from portal.accounts.models import ROLES, OneTimeCode, User
from portal.catalog.models import Mentor, Unit
from portal.core.crypto import keyed_hash
from portal.db import utcnow
from portal.errors import InvalidInput, NotFound
from portal.extensions import db
from portal.notify import services as notify

# ASCII digits only: `\d` would also match Arabic-Indic, Devanagari and other scripts' digits.
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
CODE_RE = re.compile(r"[0-9]{6}")
CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
MIN_PASSWORD = 8
SETUP_TTL = timedelta(days=3)  # the code of a new account made by an administrator
_hasher = PasswordHasher()
# Checked against when there is nothing real to check, so that every answer costs one argon2 verification.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _nfkc(raw: str | None) -> str:
    """Full-width and other compatibility forms become plain ones (１３８ → 138) before any check."""
    return unicodedata.normalize("NFKC", raw or "")


def has_foreign_digits(text: str | None) -> bool:
    """True when the text holds digits other than ASCII 0-9 (after NFKC), e.g. ١٣٨ or १३८."""
    return any(ch.isdigit() and not ("0" <= ch <= "9") for ch in _nfkc(text))


def normalize_phone(raw: str | None) -> str:
    digits = re.sub(r"[\s\-]", "", _nfkc(raw))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def valid_phone(phone: str) -> bool:
    return bool(PHONE_RE.fullmatch(phone or ""))


def normalize_code(raw: str | None) -> str:
    return _nfkc(raw).strip()


def valid_code(code: str) -> bool:
    return bool(CODE_RE.fullmatch(code or ""))


def password_problem(password: str, phone: str = "") -> str | None:
    if len(password) < MIN_PASSWORD:
        return _("密码至少 %(n)s 位。", n=MIN_PASSWORD)
    if len(password) > 128:
        return _("密码太长了，最多 128 位。")
    if password.isdigit() and len(set(password)) <= 2:
        return _("密码太简单了，请不要只用重复的数字。")
    if phone and phone in password:
        return _("密码里不要包含手机号。")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_by_phone(phone: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.phone == normalize_phone(phone)))


def _as_aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------- one-time codes


def _store_code(phone: str, purpose: str, ttl: timedelta = CODE_TTL) -> str:
    """A new code for the number (older unused ones for the purpose stop working), stored only as a hash."""
    code = f"{secrets.randbelow(10**6):06d}"
    now = utcnow()
    db.session.execute(
        sa.update(OneTimeCode)
        .where(
            OneTimeCode.phone_hash == keyed_hash(phone), OneTimeCode.purpose == purpose, OneTimeCode.used_at.is_(None)
        )
        .values(used_at=now)
    )
    db.session.add(
        OneTimeCode(
            phone_hash=keyed_hash(phone),
            purpose=purpose,
            code_hash=_hasher.hash(code),
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return code


def send_code(phone: str, purpose: str) -> None:
    """Create a code and queue its SMS. For a reset, an unknown number gets no SMS but the same answer,
    after the same work (a code is made, hashed and stored), so that the time taken tells nothing either."""
    phone = normalize_phone(phone)
    deliver = not (purpose == "reset" and find_by_phone(phone) is None)
    code = _store_code(phone, purpose)
    if deliver:
        text = _("【南阳返乡创业】验证码%(code)s，10分钟内有效。请勿告诉他人。", code=code)
        notify.sms(phone, text, purpose=f"code:{purpose}")


def send_setup_code(user: User, actor: User | None = None) -> None:
    """A new account made by an administrator: an SMS with a password-reset code that works for three days, so
    that the person sets their own password on the “找回密码” page (/account/reset). No one else ever knows it."""
    code = _store_code(user.phone, "reset", SETUP_TTL)
    text = _("【南阳返乡创业】已为您开通账号。请在3天内到平台“找回密码”页，用验证码%(code)s设置密码。", code=code)
    notify.sms(user.phone, text, purpose="code:setup", user_id=user.id)
    audit.record(actor, "user.setup_code", "user", user.id)


def check_code(phone: str, purpose: str, code: str) -> bool:
    """True once for a right, unexpired code; every wrong try counts toward the limit.

    Every call costs one argon2 verification, whether or not a code was ever sent to this number."""
    phone = normalize_phone(phone)
    code = normalize_code(code)
    row = db.session.scalar(
        sa.select(OneTimeCode)
        .where(
            OneTimeCode.phone_hash == keyed_hash(phone), OneTimeCode.purpose == purpose, OneTimeCode.used_at.is_(None)
        )
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    )
    if row is None or _as_aware(row.expires_at) < utcnow() or row.attempts >= CODE_MAX_ATTEMPTS or not valid_code(code):
        _spend_one_verification()
        return False
    try:
        _hasher.verify(row.code_hash, code)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        row.attempts += 1
        return False
    row.used_at = utcnow()
    return True


def _spend_one_verification() -> None:
    with contextlib.suppress(VerifyMismatchError):
        _hasher.verify(_DUMMY_HASH, "not-the-password")


# ---------------------------------------------------------------- accounts


def register(phone: str, name: str, password: str, code: str) -> User:
    phone = normalize_phone(phone)
    # The code first: only someone who holds the phone learns that it already has an account.
    if not check_code(phone, "register", code):
        raise InvalidInput(_("验证码不对或已过期，请重新获取。"), field="code")
    if find_by_phone(phone) is not None:
        raise InvalidInput(_("这个手机号已经注册过了，请直接登录，或用“忘记密码”找回。"), field="phone")
    user = User(
        phone=phone,
        name=name.strip(),
        password_hash=hash_password(password),
        role="applicant",
        phone_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(user, "user.register", "user", user.id, after={"role": "applicant"})
    return user


def authenticate(phone: str, password: str) -> User | None:
    user = find_by_phone(phone)
    if user is None:
        # Spend the same time as a real check, so a wrong number cannot be told from a wrong password.
        _spend_one_verification()
        return None
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(user, "user.login", "user", user.id)
    return user


def change_password(user: User, current: str, new: str) -> None:
    try:
        _hasher.verify(user.password_hash, current or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise InvalidInput(_("当前密码不对。"), field="current") from None
    problem = password_problem(new, user.phone)
    if problem:
        raise InvalidInput(problem, field="password")
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record(user, "user.password_change", "user", user.id)


def reset_password(phone: str, code: str, new: str) -> User:
    user = find_by_phone(phone)
    code_ok = check_code(phone, "reset", code)  # checked (and paid for) for unknown numbers too
    if user is None or not code_ok:
        raise InvalidInput(_("验证码不对或已过期，请重新获取。"), field="code")
    problem = password_problem(new, user.phone)
    if problem:
        raise InvalidInput(problem, field="password")
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record(user, "user.password_reset", "user", user.id)
    return user


def end_all_sessions(user: User) -> None:
    """Log out every session and remember-me cookie of this user: the id they carry has the old version."""
    user.session_version += 1
    audit.record(user, "user.logout", "user", user.id)


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session version, so old sessions end after a password change."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or str(user.session_version) != raw_version or not user.active:
        return None
    return user


def create_user(
    role: str,
    phone: str,
    name: str,
    password: str,
    unit_code: str | None = None,
    mentor_slug: str | None = None,
    actor: User | None = None,
    unit_lead: bool = False,
    full_personal_data: bool = False,
    full_data_reason: str = "",
    full_data_until=None,
) -> User:
    """Accounts made by an administrator or the CLI (staff need a unit, mentors their directory entry).

    full_personal_data: also give the full-personal-data grant (staff, office and admin only), with a reason and
    a last day (default: a year from today); see accounts.grants."""
    if role not in ROLES:
        raise InvalidInput(_("未知的角色：%(role)s", role=role), field="role")
    if full_personal_data and role not in FULL_DATA_ROLES:
        raise InvalidInput(
            _("只有工作人员、领导小组办公室和管理员可以查看完整的个人信息（--full-data）。"), field="full_data"
        )
    phone = normalize_phone(phone)
    if not valid_phone(phone):
        raise InvalidInput(_("请填写 11 位手机号。"), field="phone")
    if find_by_phone(phone) is not None:
        raise InvalidInput(_("这个手机号已经注册过了。"), field="phone")
    problem = password_problem(password, phone)
    if problem:
        raise InvalidInput(problem, field="password")
    unit = _unit_for(role, unit_code)
    mentor = _mentor_for(role, mentor_slug)
    user = User(
        phone=phone,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        unit=unit,
        mentor=mentor,
        is_unit_lead=unit_lead,
        phone_verified_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.create",
        "user",
        user.id,
        after={"role": role, "unit": unit_code, "mentor": mentor_slug, "full_personal_data": full_personal_data},
    )
    if full_personal_data:
        grants.grant(user, actor, full_data_reason, full_data_until or grants.today() + timedelta(days=365))
    return user


def _unit_for(role: str, unit_code: str | None) -> Unit | None:
    if role != "staff" and not unit_code:
        return None
    if not unit_code:
        raise InvalidInput(_("工作人员必须属于一个单位（--unit）。"), field="unit")
    unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise NotFound(_("没有这个单位：%(code)s", code=unit_code))
    return unit


def _mentor_for(role: str, mentor_slug: str | None) -> Mentor | None:
    if role != "mentor":
        return None
    if not mentor_slug:
        raise InvalidInput(_("导师账号必须关联导师库条目（--mentor）。"), field="mentor")
    mentor = db.session.scalar(sa.select(Mentor).where(Mentor.slug == mentor_slug))
    if mentor is None:
        raise NotFound(_("导师库里没有：%(slug)s", slug=mentor_slug))
    linked = db.session.scalar(sa.select(User.id).where(User.mentor_id == mentor.id))
    if linked is not None:
        raise InvalidInput(_("这位导师已经有账号了。"), field="mentor")
    return mentor
