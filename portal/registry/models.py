"""The register of new returning entrepreneurs (返乡创业登记), and the spreadsheet imports waiting to be confirmed."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.catalog.models import County, Unit
from portal.core.crypto import EncryptedJSON, EncryptedText
from portal.db import Base, utcnow


class Registration(Base):
    """One business started by a returning worker. Only confirmed ones count toward the plan's target."""

    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    # An imported row may have no account; 帮办 links the record to the account with the person's phone.
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    source: Mapped[str] = mapped_column(sa.String(8), default="self")  # self, proxy, import
    # The person's name and mobile (帮办 and imported rows; for a self registration: the account's).
    person_name: Mapped[str | None] = mapped_column(EncryptedText)
    person_phone: Mapped[str | None] = mapped_column(EncryptedText)
    person_phone_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    business_name: Mapped[str] = mapped_column(sa.String(120))
    form: Mapped[str] = mapped_column(sa.String(12))  # individual, cooperative, enterprise, other
    uscc: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    # A rejected or withdrawn record gives its USCC up (so the business can be registered again) and keeps it here.
    released_uscc: Mapped[str | None] = mapped_column(sa.String(18))
    reg_no: Mapped[str | None] = mapped_column(sa.String(15))  # the old 15-digit 注册号 of a 个体工商户
    registered_on: Mapped[date] = mapped_column(sa.Date)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"))
    township: Mapped[str] = mapped_column(sa.String(64))
    industry: Mapped[str] = mapped_column(sa.String(16))
    jobs: Mapped[int] = mapped_column(default=0)
    returned_from: Mapped[str] = mapped_column(sa.String(16))  # province_out, henan_other, nanyang
    returned_on: Mapped[date] = mapped_column(sa.Date)  # the first day of the month of return
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="submitted")
    note: Mapped[str | None] = mapped_column(sa.Text)  # the person's answer to a request for proof
    decision_note: Mapped[str | None] = mapped_column(sa.Text)  # the unit's request for proof, or its reason
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # 帮办: the person's consent by SMS code, stored only as a hash, with an expiry and a limit of attempts.
    consent_code_hash: Mapped[str | None] = mapped_column(sa.String(255))
    consent_expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    consent_attempts: Mapped[int] = mapped_column(default=0)
    demo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # the dashboard's demo data
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    county: Mapped[County] = relationship()
    unit: Mapped[Unit] = relationship()

    @property
    def code(self) -> str:
        """The USCC (or the 注册号) shown on pages, also once a closed record gave its USCC up."""
        return self.uscc or self.released_uscc or self.reg_no or ""

    __table_args__ = (
        sa.Index("ix_registration_status_registered_on", "status", "registered_on"),
        sa.Index("ix_registration_county_status", "county_id", "status"),
        sa.CheckConstraint("jobs >= 0", name="jobs_not_negative"),
    )


class RegistrationImport(Base):
    """A county's spreadsheet return between its preview and the importer's choice.

    Kept in the database, not in a server's memory or the session cookie: several app servers answer in turn.
    The rows (already checked) are stored encrypted, since they hold names and phone numbers."""

    __tablename__ = "registration_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    rows: Mapped[list] = mapped_column(EncryptedJSON)  # JSON: [{"row": n, "values": {...}, "errors": [...]}, ...]
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
