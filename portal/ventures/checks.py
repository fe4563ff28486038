"""The rules a presented project's answers must pass. Values arrive as text from the form; full-width digits and
other compatibility characters are normalised first (１２ → 12); each problem is a message for its field, and
nothing here raises on odd input (NUL bytes never get this far: the request guard refuses them)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from portal.catalog.models import County
from portal.catalog.vocab import INDUSTRIES
from portal.core.guard import ascii_int
from portal.ventures.vocab import CONTACT, SEEKS, STAGES

FIELDS = ("name", "makes", "county", "industry", "stage", "jobs_created", "jobs_planned", "investment_wan",
          "contact_pref", "contact_name", "contact_phone")  # fmt: skip
NAME_MAX, MAKES_MAX, PERSON_MAX = 80, 1000, 32
MAX_JOBS = 100_000
MAX_WAN = Decimal("100000")  # 10亿元: far beyond what a returning entrepreneur's project asks of a fund
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
AMOUNT_RE = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,2})?")


@dataclass
class Answers:
    name: str = ""
    makes: str = ""
    county: County | None = None
    industry: str = ""
    stage: str = ""
    jobs_created: int = 0
    jobs_planned: int = 0
    seeks: list[str] = field(default_factory=list)
    investment_wan: Decimal | None = None
    contact_pref: str = "portal"
    contact_name: str = ""
    contact_phone: str = ""


def normal(raw: object) -> str:
    return unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()


def plain(raw: object) -> str:
    """Free text as typed (no NFKC: it would turn Chinese full-width punctuation into ASCII), trimmed."""
    return ("" if raw is None else str(raw)).replace("\r\n", "\n").strip()


def _text(values, name: str, maximum: int, errors: dict, required_message: str) -> str:
    text = plain(values.get(name))
    if not text:
        errors[name] = required_message
    elif len(text) > maximum:
        errors[name] = _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=maximum, n=len(text))
    return text


def _jobs(values, name: str, errors: dict) -> int:
    raw = normal(values.get(name)) or "0"
    if raw.startswith("-"):
        errors[name] = _("人数不能是负数。")
        return 0
    number = ascii_int(raw, 0, MAX_JOBS)
    if number is None:
        if raw.isascii() and raw.isdigit():
            errors[name] = _("人数太大了，请核对（最多 %(max)s 人）。", max=f"{MAX_JOBS:,}")
        else:
            errors[name] = _("请填写整数人数，例如 6；没有填 0。")
        return 0
    return number


def _amount(raw: str, errors: dict) -> Decimal | None:
    text = raw.replace(",", "").replace("万元", "").replace("万", "").strip()
    if text.startswith("-"):
        errors["investment_wan"] = _("金额要大于 0。")
        return None
    if not AMOUNT_RE.fullmatch(text):
        errors["investment_wan"] = _("请填写以万元为单位的数字，例如 50 或 12.5。")
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        errors["investment_wan"] = _("请填写以万元为单位的数字，例如 50 或 12.5。")
        return None
    if amount <= 0:
        errors["investment_wan"] = _("金额要大于 0。")
    elif amount > MAX_WAN:
        errors["investment_wan"] = _("金额太大了，请核对单位是万元（最多 %(max)s 万元）。", max=f"{MAX_WAN:,}")
    else:
        return amount
    return None


def check(values: Mapping[str, object], seeks: list[str], counties: Mapping[str, County]) -> tuple[Answers, dict]:
    """The answers and a dict of field -> message (empty when every answer is right)."""
    errors: dict[str, str] = {}
    a = Answers()
    a.name = _text(values, "name", NAME_MAX, errors, _("请填写项目名称。"))
    a.makes = _text(values, "makes", MAKES_MAX, errors, _("请写明项目做什么、生产或提供什么。"))
    a.county = counties.get(normal(values.get("county")))
    if a.county is None:
        errors["county"] = _("请选择项目所在的县区。")
    a.industry = normal(values.get("industry"))
    if a.industry not in INDUSTRIES:
        errors["industry"] = _("请从列表里选择行业。")
    a.stage = normal(values.get("stage"))
    if a.stage not in STAGES:
        errors["stage"] = _("请选择项目现在的阶段。")
    a.jobs_created = _jobs(values, "jobs_created", errors)
    a.jobs_planned = _jobs(values, "jobs_planned", errors)
    chosen = [normal(s) for s in seeks]
    if not chosen:
        errors["seeks"] = _("请至少选择一项需要的支持。")
    elif any(s not in SEEKS for s in chosen):
        errors["seeks"] = _("请从列表里选择需要的支持。")
    a.seeks = [code for code in SEEKS if code in chosen]
    raw_amount = normal(values.get("investment_wan"))
    if raw_amount:
        a.investment_wan = _amount(raw_amount, errors)
    elif "investment" in a.seeks:
        errors["investment_wan"] = _("寻找投资时请填写融资需求（万元）。")
    a.contact_pref = normal(values.get("contact_pref")) or "portal"
    if a.contact_pref not in CONTACT:
        errors["contact_pref"] = _("请选择联系方式。")
    a.contact_name = _text(values, "contact_name", PERSON_MAX, errors, _("请填写联系人。"))
    a.contact_phone = normal(values.get("contact_phone")).replace(" ", "").replace("-", "")
    if not PHONE_RE.fullmatch(a.contact_phone):
        errors["contact_phone"] = _("请填写 11 位手机号码，例如 13812345678。")
    return a, errors
