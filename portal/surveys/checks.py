"""The rules of a survey's details and of its questions: each problem is a message at its field.

Every value arrives as text from a form; a problem never stops the other fields from being checked, so the page
shows every message at once and keeps what was typed."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

from portal.core.guard import ascii_int, parse_day
from portal.errors import InvalidInput
from portal.surveys import audiences
from portal.surveys.models import MULTIPLE, QUESTION_KINDS, SCALE, SINGLE

TITLE_MAX, PURPOSE_MAX = 120, 1000
QUESTION_MAX, OPTION_MAX, OPTIONS_MIN, OPTIONS_MAX = 300, 80, 2, 12
SCALE_LABEL_MAX = 20
QUESTIONS_MAX = 30
LONGEST = timedelta(days=366)  # a survey runs a year at most


class SurveyErrors(InvalidInput):
    """Several field messages at once; `errors` maps field name to message (shown at the fields)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def clean(value: object) -> str:
    """Text as typed, trimmed, with line breaks made plain (a form's CR LF is one line break)."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def has_control(text: str) -> bool:
    """NUL and the other control characters (tabs and line breaks are fine). The request guard refuses them before
    any view; this is the net for services called from elsewhere (the CLI, the demo)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text)


def _text(errors: dict, name: str, raw: object, longest: int, required: bool = True) -> str:
    text = clean(raw)
    if has_control(text):
        errors[name] = _("含有不允许的控制字符（例如空字符），请删除后再试。")
    elif required and not text:
        errors[name] = _("这一项必须填写。")
    elif len(text) > longest:
        errors[name] = _("最多只能填 %(max)d 个字（现在 %(n)d 个）。", max=longest, n=len(text))
    return text


@dataclass
class Details:
    title: str
    purpose: str
    audience: str
    audience_param: str | None
    anonymous: bool
    opens_on: date
    closes_on: date


def check_details(values: Mapping[str, object], today: date, *, opened: bool = False) -> Details:
    """A survey's title, purpose, audience, anonymity and dates; SurveyErrors naming every problem.

    `opened`: the survey is already open (its audience and anonymity are kept; its first day may be past)."""
    errors: dict[str, str] = {}
    title = _text(errors, "title", values.get("title"), TITLE_MAX)
    purpose = _text(errors, "purpose", values.get("purpose"), PURPOSE_MAX)
    audience = audiences.parse(str(values.get("audience") or ""))
    if audience is None and not opened:
        errors["audience"] = _("请从列表里选择调查对象。")
    anonymity = str(values.get("anonymity") or "")
    if anonymity not in ("anonymous", "named") and not opened:
        errors["anonymity"] = _("请选择匿名还是实名。")
    opens_on, closes_on = parse_day(str(values.get("opens_on") or "")), parse_day(str(values.get("closes_on") or ""))
    if opens_on is None:
        errors["opens_on"] = _("请按 年-月-日 填写开始日期，例如 %(example)s。", example=today.isoformat())
    elif opens_on < today and not opened:
        errors["opens_on"] = _("开始日期不能早于今天（%(today)s）。", today=today.isoformat())
    if closes_on is None:
        errors["closes_on"] = _(
            "请按 年-月-日 填写截止日期，例如 %(example)s。", example=(today + timedelta(days=14)).isoformat()
        )
    elif closes_on < today:
        errors["closes_on"] = _("截止日期已经过了，请填今天（%(today)s）或以后的日期。", today=today.isoformat())
    elif opens_on is not None and closes_on < opens_on:
        errors["closes_on"] = _("截止日期不能早于开始日期。")
    elif opens_on is not None and closes_on - opens_on > LONGEST:
        errors["closes_on"] = _("一次调查最长一年，请把截止日期提前。")
    if errors:
        raise SurveyErrors(errors)
    kind, param = audience if audience else ("", None)
    return Details(title, purpose, kind, param, anonymity != "named", opens_on, closes_on)


@dataclass
class QuestionInput:
    kind: str
    text: str
    required: bool
    options: list[str] = field(default_factory=list)
    max_choices: int | None = None
    scale_low: str | None = None
    scale_high: str | None = None


def check_question(values: Mapping[str, object]) -> QuestionInput:
    errors: dict[str, str] = {}
    kind = str(values.get("kind") or "")
    if kind not in QUESTION_KINDS:
        errors["kind"] = _("请选择题型。")
    text = _text(errors, "text", values.get("text"), QUESTION_MAX)
    required = str(values.get("required") or "") in ("y", "on", "1", "true")
    question = QuestionInput(kind, text, required)
    if kind in (SINGLE, MULTIPLE):
        lines = clean(values.get("options")).split("\n")
        options = [line.strip() for line in lines if line.strip()]
        if any(has_control(o) for o in options):
            errors["options"] = _("含有不允许的控制字符（例如空字符），请删除后再试。")
        elif not OPTIONS_MIN <= len(options) <= OPTIONS_MAX:
            errors["options"] = _(
                "请填 %(min)d 到 %(max)d 个选项，每行一个（现在 %(n)d 个）。",
                min=OPTIONS_MIN,
                max=OPTIONS_MAX,
                n=len(options),
            )
        elif any(len(o) > OPTION_MAX for o in options):
            errors["options"] = _("每个选项最多 %(max)d 个字。", max=OPTION_MAX)
        elif len(set(options)) != len(options):
            errors["options"] = _("有重复的选项，请删掉重复的一行。")
        question.options = options
    if kind == MULTIPLE:
        raw = unicodedata.normalize("NFKC", clean(values.get("max_choices")))
        if raw:
            limit = ascii_int(raw, 1, OPTIONS_MAX)
            if limit is None or (question.options and limit > len(question.options)):
                errors["max_choices"] = _("最多可选几项：请填 1 到选项个数之间的整数，不限就不填。")
            question.max_choices = limit
    if kind == SCALE:
        question.scale_low = _text(errors, "scale_low", values.get("scale_low"), SCALE_LABEL_MAX)
        question.scale_high = _text(errors, "scale_high", values.get("scale_high"), SCALE_LABEL_MAX)
    if errors:
        raise SurveyErrors(errors)
    return question
