"""办件进度查询: anyone holding the tracking number and the last 4 digits of the applicant's phone (or the last 6
characters of the 身份证号) sees where an application stands — its state, the handling unit, the promised date and
the steps with their dates — and nothing personal: no names, no numbers, no staff comments.

A wrong pair answers exactly like an unknown number (the same "not found" after the same work), so the lookup
tells nobody whether a number exists; the views rate-limit it per address and per tracking number.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.applications import states
from portal.applications.models import Application
from portal.errors import InvalidInput
from portal.extensions import db

TRACKING_NO = re.compile(r"NY-[0-9]{4}-[A-Z]{2}-[0-9]{6}")
VERIFIER = re.compile(r"[0-9]{4}|[0-9]{5}[0-9X]")
# Steps an outsider may see: what happened and when, never what anyone wrote.
PUBLIC_STEPS = ("submit", "route", "accept", "request_material", "supply_material", "transfer", "approve", "reject")
_DUMMY = "0" * 18


@dataclass
class Step:
    action: str
    at: datetime
    unit_name: str | None


@dataclass
class Progress:
    tracking_no: str
    type: str
    state: str
    handling_unit: object | None  # catalog Unit: name, phone, address
    promised_date: date | None
    clock_paused: bool
    promise_reason: str | None
    steps: list[Step]


def normalise_tracking_no(raw: str | None) -> str:
    """Full-width characters and lower case as people type them on a phone: ｎｙ－２０２６… → NY-2026-…"""
    text = unicodedata.normalize("NFKC", raw or "").strip().upper()
    return re.sub(r"\s+", "", text.replace("—", "-").replace("－", "-"))


def normalise_verifier(raw: str | None) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "").strip().upper())


def check_input(tracking_no: str, verifier: str) -> dict[str, str]:
    """Field messages for numbers that cannot be right, whatever is stored."""
    errors = {}
    if not TRACKING_NO.fullmatch(tracking_no):
        errors["tracking_no"] = _("申请编号的格式是 NY-年份-类别-6位数字，例如 NY-2026-DB-000123，请按回执核对。")
    if not VERIFIER.fullmatch(verifier):
        errors["verifier"] = _("请填写申请时所留手机号的后 4 位，或身份证号的后 6 位（最后一位可以是 X）。")
    return errors


def lookup(raw_tracking_no: str, raw_verifier: str) -> Progress | None:
    """The progress of the application, or None when the number is unknown or the digits do not match."""
    tracking_no, verifier = normalise_tracking_no(raw_tracking_no), normalise_verifier(raw_verifier)
    errors = check_input(tracking_no, verifier)
    if errors:
        raise InvalidInput(next(iter(errors.values())), errors=errors)
    application = db.session.scalar(
        sa.select(Application).where(Application.tracking_no == tracking_no, Application.state != states.DRAFT)
    )
    secret = _secret_for(application, verifier)
    # Compared in constant time, and against a dummy when there is no application: the same work either way.
    if not hmac.compare_digest(secret[-len(verifier) :], verifier) or application is None:
        return None
    return Progress(
        tracking_no=application.tracking_no,
        type=application.type,
        state=application.state,
        handling_unit=application.handling_unit,
        promised_date=application.promised_date,
        clock_paused=application.clock_paused,
        promise_reason=application.promise_reason,
        steps=[
            Step(e.action, e.at, e.unit.short_name if e.unit else None)
            for e in application.events
            if e.action in PUBLIC_STEPS
        ],
    )


def _secret_for(application: Application | None, verifier: str) -> str:
    if application is None:
        return _DUMMY
    value = (application.phone if len(verifier) == 4 else application.id_number) or _DUMMY
    return value.upper()


def as_dict(result: Progress) -> dict:
    unit = result.handling_unit
    return {
        "tracking_no": result.tracking_no,
        "type": result.type,
        "state": result.state,
        "state_label": str(states.STATES.get(result.state, result.state)),
        "handling_unit": {"name": unit.name, "phone": unit.phone, "address": unit.address} if unit else None,
        "promised_date": result.promised_date.isoformat() if result.promised_date else None,
        "clock_paused": result.clock_paused,
        "steps": [
            {
                "action": s.action,
                "label": str(states.ACTIONS.get(s.action, s.action)),
                "at": s.at.isoformat(),
                "unit": s.unit_name,
            }
            for s in result.steps
        ],
    }
