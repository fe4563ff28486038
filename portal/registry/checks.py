"""The rules a registration's answers must pass: one function for the web form, 帮办 and each imported row.

Values arrive as text (a form field, a spreadsheet cell). Full-width and other compatibility characters are
normalised first (１２３ → 123, ＡＢＣ → ABC), so what a phone's Chinese keyboard types is accepted as meant.
Each problem is a message naming what is wrong, for the field it belongs to; nothing here raises on odd input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from stdnum.cn import uscc as uscc_rules
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.iso7064 import mod_11_10

from portal.catalog.models import County
from portal.core.guard import ascii_int
from portal.registry.vocab import FORMS, INDUSTRIES, RETURNED_FROM

FIELDS = (
    "business_name",
    "form",
    "uscc",
    "reg_no",
    "registered_on",
    "county",
    "township",
    "industry",
    "jobs",
    "returned_from",
    "returned_on",
)
PERSON_FIELDS = ("person_name", "person_phone")
MAX_JOBS = 100_000
EARLIEST = date(1990, 1, 1)
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
DATE_RE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?(?:[ T]00:00(?::00)?)?")
MONTH_RE = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?")
COMPACT_DATE_RE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


@dataclass
class Entry:
    """A registration's answers once they passed every rule."""

    business_name: str
    form: str
    uscc: str | None
    reg_no: str | None
    registered_on: date
    county: County
    township: str
    industry: str
    jobs: int
    returned_from: str
    returned_on: date
    person_name: str | None = None
    person_phone: str | None = None


def normal(raw: object) -> str:
    """The text with compatibility forms made plain and the spaces around it removed."""
    return unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()


def code_of(table: Mapping[str, object], raw: str) -> str | None:
    """A code from its code or its label (in Chinese or English, as a spreadsheet may carry either)."""
    if raw in table:
        return raw
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            for code, label in table.items():
                if normal(label).casefold() == raw.casefold():
                    return code
    return None


def parse_day(raw: str) -> date | str:
    """A date, or the message saying what is wrong with the text."""
    match = DATE_RE.fullmatch(raw) or COMPACT_DATE_RE.fullmatch(raw)
    if not match:
        return _("请按 年-月-日 填写，例如 2021-03-15。")
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return _("没有 %(month)s 月，请核对。", month=month)
    try:
        return date(year, month, day)
    except ValueError:
        return _("%(year)s年%(month)s月没有%(day)s日，请核对。", year=year, month=month, day=day)


def parse_month(raw: str) -> date | str:
    """The first day of a month written as 2021-03 (or 2021年3月, or a whole date), or a message."""
    day = parse_day(raw)
    if isinstance(day, date):
        return day.replace(day=1)
    match = MONTH_RE.fullmatch(raw)
    if not match:
        return _("请按 年-月 填写，例如 2020-11。")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return _("没有 %(month)s 月，请核对。", month=month)
    return date(year, month, 1)


def check_uscc(raw: str) -> str | None:
    """The message for a wrong 统一社会信用代码, or None (GB 32100, as python-stdnum checks it)."""
    try:
        uscc_rules.validate(raw)
    except InvalidLength:
        return _("统一社会信用代码应为 18 位，现在是 %(n)s 位。", n=len(raw))
    except InvalidChecksum:
        return _("统一社会信用代码最后一位（校验码）对不上，请按营业执照逐位核对。")
    except (InvalidFormat, ValidationError):
        return _("统一社会信用代码只含数字和大写字母（不含 I、O、Z、S、V），请按营业执照核对。")
    return None


def check_reg_no(raw: str) -> str | None:
    """The message for a wrong 15-digit 注册号 (ISO 7064 MOD 11,10 check digit), or None."""
    if len(raw) != 15 or not (raw.isascii() and raw.isdigit()):
        return _("注册号是 15 位数字，现在是 %(n)s 位。", n=len(raw))
    if not mod_11_10.is_valid(raw):
        return _("注册号最后一位（校验码）对不上，请按营业执照核对。")
    return None


def _text(values: Mapping[str, object], name: str, errors: dict, label_missing: str, limit: int) -> str:
    value = normal(values.get(name))
    if not value:
        errors[name] = label_missing
    elif len(value) > limit:
        errors[name] = _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=limit, n=len(value))
    return value


def _identifiers(values: Mapping[str, object], form: str | None, errors: dict) -> tuple[str | None, str | None]:
    uscc = re.sub(r"[\s-]", "", normal(values.get("uscc"))).upper() or None
    reg_no = re.sub(r"[\s-]", "", normal(values.get("reg_no"))) or None
    if uscc and (problem := check_uscc(uscc)):
        errors["uscc"] = problem
    if reg_no and (problem := check_reg_no(reg_no)):
        errors["reg_no"] = problem
    elif reg_no and form and form != "individual":
        errors["reg_no"] = _("只有个体工商户可以填注册号；其他主体请填统一社会信用代码。")
    if not uscc and not reg_no:
        errors["uscc"] = (
            _("请填写统一社会信用代码；个体工商户没有的，可以填 15 位注册号。")
            if form == "individual"
            else _("请填写营业执照上的 18 位统一社会信用代码。")
        )
    elif not uscc and form and form != "individual":
        errors["uscc"] = _("请填写营业执照上的 18 位统一社会信用代码。")
    return uscc, reg_no


def _choice(values: Mapping[str, object], name: str, table: Mapping, missing: str, errors: dict) -> str | None:
    raw = normal(values.get(name))
    if not raw:
        errors[name] = missing
        return None
    code = code_of(table, raw)
    if code is None:
        errors[name] = _("“%(value)s”不在可选范围内，请从列表里选择。", value=raw[:20])
    return code


def _dates(values: Mapping[str, object], today: date, errors: dict) -> tuple[date | None, date | None]:
    registered = returned = None
    raw = normal(values.get("registered_on"))
    if not raw:
        errors["registered_on"] = _("请填写营业执照上的登记（成立）日期。")
    elif isinstance(parsed := parse_day(raw), str):
        errors["registered_on"] = parsed
    elif not EARLIEST <= parsed <= today:
        errors["registered_on"] = _("登记日期应在 1990 年到今天之间。")
    else:
        registered = parsed
    raw = normal(values.get("returned_on"))
    if not raw:
        errors["returned_on"] = _("请填写哪年哪月返乡。")
    elif isinstance(parsed := parse_month(raw), str):
        errors["returned_on"] = parsed
    elif not EARLIEST <= parsed <= today:
        errors["returned_on"] = _("返乡时间应在 1990 年到本月之间。")
    else:
        returned = parsed
    return registered, returned


def _jobs(values: Mapping[str, object], errors: dict) -> int | None:
    raw = normal(values.get("jobs"))
    if raw.endswith(".0"):  # a spreadsheet's number cell
        raw = raw[:-2]
    if not raw:
        errors["jobs"] = _("请填写带动就业人数（没有就填 0）。")
        return None
    jobs = ascii_int(raw, 0, MAX_JOBS)
    if jobs is None:
        errors["jobs"] = _("带动就业人数请填 0 到 %(max)s 之间的整数。", max=MAX_JOBS)
    return jobs


def person(values: Mapping[str, object], errors: dict, phone_required: bool = True) -> tuple[str, str | None]:
    """The name and mobile of the person a staff member registers for (帮办, import)."""
    name = _text(values, "person_name", errors, _("请填写本人姓名。"), 30)
    phone = re.sub(r"[\s-]", "", normal(values.get("person_phone"))) or None
    if phone and phone.startswith("+86"):
        phone = phone[3:]
    if phone and not PHONE_RE.fullmatch(phone):
        errors["person_phone"] = _("请填写 11 位手机号，例如 13800000000。")
    elif not phone and phone_required:
        errors["person_phone"] = _("请填写本人手机号，确认码会发到这个手机上。")
    return name, phone


def check(values: Mapping[str, object], counties: Mapping[str, County], today: date) -> tuple[Entry | None, dict]:
    """(the entry, {}) when every answer is right; (None, {field: message}) otherwise.

    `counties` maps each county's code and Chinese name to it (forms post the code, spreadsheets the name)."""
    errors: dict[str, str] = {}
    name = _text(values, "business_name", errors, _("请填写经营主体名称（营业执照上的名称）。"), 120)
    form = _choice(values, "form", FORMS, _("请选择主体类型。"), errors)
    uscc, reg_no = _identifiers(values, form, errors)
    registered, returned = _dates(values, today, errors)
    county = counties.get(normal(values.get("county")))
    if county is None:
        raw = normal(values.get("county"))
        errors["county"] = _("“%(value)s”不是南阳市的县区。", value=raw[:20]) if raw else _("请选择县区。")
    township = _text(values, "township", errors, _("请填写乡镇（街道）。"), 64)
    industry = _choice(values, "industry", INDUSTRIES, _("请选择行业。"), errors)
    jobs = _jobs(values, errors)
    returned_from = _choice(values, "returned_from", RETURNED_FROM, _("请选择从哪里返乡。"), errors)
    if errors:
        return None, errors
    entry = Entry(name, form, uscc, reg_no, registered, county, township, industry, jobs, returned_from, returned)
    return entry, {}
