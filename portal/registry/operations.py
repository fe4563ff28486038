"""Changing registrations: one's own registration, the unit's decision, 帮办 with the person's SMS consent.

Statuses move only through `states.REGISTRATION`; the caller's request commits once. Spreadsheet imports are in
`imports.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import User
from portal.core.access import require
from portal.core.clock import today
from portal.core.crypto import keyed_hash
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition
from portal.extensions import db
from portal.registry import checks, notifications, queries
from portal.registry.models import Registration
from portal.registry.states import AWAITING_CONSENT, REGISTRATION

CONSENT_TTL = timedelta(minutes=10)
CONSENT_MAX_ATTEMPTS = 5
_hasher = PasswordHasher()


class RegistryErrors(InvalidInput):
    """Several field messages at once; `errors` maps field name to message (shown at the fields)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def duplicate_message(county_name: str) -> str:
    """Names the county of the record that holds the code, never its owner."""
    return _("该统一社会信用代码已由%(county)s登记，不能重复登记。如有疑问请联系该县区人社局。", county=county_name)


def checked(values: Mapping[str, object], exclude_id: int | None = None, owner: User | None = None) -> checks.Entry:
    """The entry when every answer is right and its USCC is not held by another live record; else RegistryErrors.
    When the record holding it is the `owner`'s own, they are told that, not sent to the county."""
    entry, errors = checks.check(values, queries.counties_by_key(), today())
    if errors:
        raise RegistryErrors(errors)
    if entry.uscc and (other := queries.holder(entry.uscc, exclude_id)) is not None:
        if owner is not None and other.owner_id == owner.id:
            raise RegistryErrors({"uscc": _("您已经登记过这个经营主体，可以在“我的创业登记”里查看办理进度。")})
        raise RegistryErrors({"uscc": duplicate_message(other.county.name)})
    return entry


def create(entry: checks.Entry, actor: User | None, consent_first: bool = False, **fields) -> Registration:
    """Add the record, submitted (or, for 帮办, waiting for the person's consent). In a savepoint: a USCC taken
    meanwhile by someone else is refused with the duplicate message, not a 500."""
    registration = Registration(
        business_name=entry.business_name,
        form=entry.form,
        uscc=entry.uscc,
        reg_no=entry.reg_no,
        registered_on=entry.registered_on,
        county_id=entry.county.id,
        township=entry.township,
        industry=entry.industry,
        jobs=entry.jobs,
        returned_from=entry.returned_from,
        returned_on=entry.returned_on,
        unit_id=queries.unit_for_county(entry.county).id,
        status=AWAITING_CONSENT if consent_first else REGISTRATION.initial,
        **fields,
    )
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError:
        other = queries.holder(entry.uscc) if entry.uscc else None
        raise RegistryErrors({"uscc": duplicate_message(other.county.name if other else "")}) from None
    audit.record(
        actor,
        "registration.create",
        "registration",
        registration.id,
        after={"source": registration.source, "status": registration.status, "county": entry.county.code},
    )
    return registration


def register(user: User, values: Mapping[str, object]) -> Registration:
    """A returning worker registers the business they started; it waits for the county 人社局."""
    require(user, "registration.register")
    entry = checked(values, owner=user)
    return create(entry, user, owner_id=user.id, source="self")


# ---------------------------------------------------------------- the unit's decision


def decide(staff: User, registration_id: int, action: str, reason: str = "") -> Registration:
    """`confirm`, `ask_proof` (what is needed) or `reject` (why): the handling unit's staff."""
    registration = queries.handled(staff, registration_id)
    reason = (reason or "").strip()[:1000]
    if action not in ("confirm", "ask_proof", "reject"):
        raise InvalidInput(_("请选择确认、要求补充证明或不予确认。"))
    if action != "confirm" and len(reason) < 2:
        field = "proof_reason" if action == "ask_proof" else "reject_reason"
        message = _("请写明需要补充什么证明。") if action == "ask_proof" else _("请写明不予确认的原因。")
        raise RegistryErrors({field: message})
    values: dict = {"decided_by_id": staff.id, "version": Registration.version + 1}
    if action == "confirm":
        values.update(confirmed_at=utcnow(), confirmed_by_id=staff.id)
    else:
        values["decision_note"] = reason
    if action == "reject":
        values.update(uscc=None, released_uscc=registration.uscc)
    REGISTRATION.apply(
        registration,
        action,
        staff,
        refusal=_("这条登记现在是“%(state)s”，不能这样处理。", state=REGISTRATION.label(registration.status)),
        values=values,
        audit_after={"reason": reason or None},
    )
    notifications.decided(registration, action)
    return registration


# ---------------------------------------------------------------- the person's answers


def answer(user: User, registration_id: int, note: str) -> Registration:
    """The person answers a request for proof; the record goes back to the unit."""
    registration = queries.own(user, registration_id)
    note = (note or "").strip()
    if len(note) < 2:
        raise RegistryErrors({"note": _("请写明补充的情况或证明材料。")})
    if len(note) > 2000:
        raise RegistryErrors({"note": _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=2000, n=len(note))})
    REGISTRATION.apply(
        registration,
        "resubmit",
        user,
        refusal=_("这条登记现在不需要补充证明。"),
        values={"note": note, "version": Registration.version + 1},
    )
    return registration


def withdraw(user: User, registration_id: int) -> Registration:
    registration = queries.own(user, registration_id)
    REGISTRATION.apply(
        registration,
        "withdraw",
        user,
        refusal=_("这条登记已经处理完，不能撤回。"),
        values={"uscc": None, "released_uscc": registration.uscc, "version": Registration.version + 1},
    )
    return registration


# ---------------------------------------------------------------- 帮办: staff register on someone's behalf


def start_proxy(staff: User, values: Mapping[str, object]) -> Registration:
    """Staff fill the form for a person; the person's SMS code, read out to staff, confirms it (`consent`)."""
    require(staff, "registration.enter")
    errors: dict[str, str] = {}
    name, phone = checks.person(values, errors)
    try:
        entry = checked(values)
    except RegistryErrors as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise RegistryErrors(errors)
    if queries.unit_for_county(entry.county).id != staff.unit_id:
        raise RegistryErrors({"county": _("帮办只能登记本单位负责的县区。")})
    registration = create(
        entry,
        staff,
        consent_first=True,
        source="proxy",
        entered_by_id=staff.id,
        person_name=name,
        person_phone=phone,
        person_phone_hash=keyed_hash(phone),
    )
    send_consent_code(registration)
    return registration


def send_consent_code(registration: Registration) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    registration.consent_code_hash = _hasher.hash(code)
    registration.consent_expires_at = utcnow() + CONSENT_TTL
    registration.consent_attempts = 0
    notifications.consent_code(registration, code)


def resend(staff: User, registration_id: int) -> Registration:
    registration = queries.handled(staff, registration_id)
    if registration.status != AWAITING_CONSENT:
        raise InvalidTransition(_("这条登记不在等待本人确认。"))
    send_consent_code(registration)
    audit.record(staff, "registration.consent_code", "registration", registration.id)
    return registration


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def consent(staff: User, registration_id: int, code: str) -> str | None:
    """Check the code the person read out. None when it was right (the record is submitted), else the message.

    A wrong code is not an error to roll back: the attempt must stay counted, so the caller commits either way."""
    registration = queries.handled(staff, registration_id)
    if registration.status != AWAITING_CONSENT:
        return _("这条登记已经确认过了。")
    code = checks.normal(code)
    expired = registration.consent_expires_at is None or aware(registration.consent_expires_at) < utcnow()
    if expired or registration.consent_attempts >= CONSENT_MAX_ATTEMPTS:
        return _("确认码已失效（超过 10 分钟或输错 5 次），请重新发送。")
    try:
        _hasher.verify(registration.consent_code_hash or "", code)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        registration.consent_attempts += 1
        left = CONSENT_MAX_ATTEMPTS - registration.consent_attempts
        return _("确认码不对，还可以再试 %(n)s 次。", n=left) if left else _("确认码不对，请重新发送。")
    owner = queries.account_for_phone(registration.person_phone)
    REGISTRATION.apply(
        registration,
        "consent",
        staff,
        values={"consent_code_hash": None, "owner_id": owner.id if owner else None},
        audit_after={"linked_account": owner is not None},
    )
    return None
