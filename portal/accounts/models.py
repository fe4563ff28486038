"""Users and one-time codes."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.catalog.models import Mentor, Unit
from portal.core.crypto import EncryptedText, keyed_hash
from portal.db import Base, TimestampMixin, utcnow

ROLES = {
    "applicant": _l("创业者"),
    "mentor": _l("创业导师"),
    "staff": _l("单位工作人员"),
    "office": _l("领导小组办公室"),
    "editor": _l("内容编辑"),  # edits and (a second editor) publishes bases, parks, projects, guides, mentors
    "admin": _l("系统管理员"),
}


class _HashComparator(Comparator[str]):
    """Equality on an encrypted value, answered by its keyed hash (the ciphertext differs on every write)."""

    def __eq__(self, other):  # type: ignore[override]
        return self.__clause_element__() == keyed_hash(other)

    def in_(self, values):
        return self.__clause_element__().in_([keyed_hash(v) for v in values])


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The mobile number is the login name and where codes go: stored encrypted, found by its keyed hash.
    # `User.phone == "139…"` in a query compares hashes (see `phone` below).
    _phone: Mapped[str] = mapped_column("phone", EncryptedText)
    phone_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), index=True, default="applicant")
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    is_unit_lead: Mapped[bool] = mapped_column(default=False)
    mentor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mentor.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    phone_verified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Private token of a mentor's iCalendar feed (the phone's calendar fetches it without logging in).
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Changing it logs out every other session of this user (password change or reset).
    session_version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit | None] = relationship()
    mentor: Mapped[Mentor | None] = relationship()

    __table_args__ = (sa.CheckConstraint("role != 'staff' OR unit_id IS NOT NULL", name="staff_has_unit"),)

    @hybrid_property
    def phone(self) -> str:
        return self._phone

    @phone.inplace.setter
    def _phone_setter(self, value: str) -> None:
        self._phone = value
        self.phone_hash = keyed_hash(value) if value else None

    @phone.inplace.comparator
    @classmethod
    def _phone_comparator(cls) -> _HashComparator:
        return _HashComparator(cls.phone_hash)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class OneTimeCode(Base):
    """A six-digit code sent by SMS, stored only as a hash."""

    __tablename__ = "one_time_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(16))  # register, reset
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class DataAccessGrant(Base):
    """Permission to see and export full 身份证号 and phone numbers, given by an administrator with a reason until
    a day (inclusive, Beijing time). It stops working by itself after that day, or when revoked; everyone without
    a working grant sees those numbers masked (accounts.grants.may_see_full_data)."""

    __tablename__ = "data_access_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))  # None: the CLI or a migration
    reason: Mapped[str] = mapped_column(sa.String(500))
    expires_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
