"""Reading one person's answers from the posted form: a value or a message for every question.

Field `q<id>` carries a question's answer: the option's number (1, 2, …) for single and multiple choice (several
values for multiple), 1–5 for a scale, the text for a free-text question. A problem with one answer never loses
the others: the page is shown again with every answer as it was and a message at each question that needs one."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from portal.core.guard import ascii_int
from portal.surveys.checks import clean, has_control
from portal.surveys.models import MULTIPLE, SCALE, SCALE_VALUES, SINGLE, TEXT, SurveyQuestion

TEXT_ANSWER_MAX = 1000


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.id}"


@dataclass
class Answers:
    chosen: dict[int, list[int]] = field(default_factory=dict)  # question id -> option numbers (or the scale value)
    texts: dict[int, str] = field(default_factory=dict)  # question id -> free text
    kept: dict[str, list[str]] = field(default_factory=dict)  # field name -> what was sent, to show it again
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message


def _number(raw: str, largest: int) -> int | None:
    return ascii_int(unicodedata.normalize("NFKC", raw), 1, largest)


def _choices(question: SurveyQuestion, raw: list[str], result: Answers) -> None:
    name = field_name(question)
    raw = [r for r in (r.strip() for r in raw) if r]
    if not raw:
        if question.required:
            result.errors[name] = _("请选择一项。") if question.kind != MULTIPLE else _("请至少选择一项。")
        return
    largest = len(SCALE_VALUES) if question.kind == SCALE else len(question.options or [])
    numbers = [_number(r, largest) for r in raw]
    if any(n is None for n in numbers):
        result.errors[name] = _("请选择 1 到 5 中的一个。") if question.kind == SCALE else _("请从列出的选项里选择。")
        return
    chosen = sorted(set(numbers))
    if question.kind in (SINGLE, SCALE) and len(chosen) > 1:
        result.errors[name] = _("这道题只能选一项。")
        return
    if question.kind == MULTIPLE and question.max_choices and len(chosen) > question.max_choices:
        result.errors[name] = _(
            "最多只能选 %(max)d 项（您选了 %(n)d 项），请去掉一些。", max=question.max_choices, n=len(chosen)
        )
        return
    result.chosen[question.id] = chosen


def _text(question: SurveyQuestion, raw: list[str], result: Answers) -> None:
    name = field_name(question)
    text = clean(raw[0] if raw else "")
    if len(raw) > 1:
        result.errors[name] = _("填写的内容不对，请核对。")
    elif has_control(text):
        result.errors[name] = _("含有不允许的控制字符（例如空字符），请删除后再试。")
    elif len(text) > TEXT_ANSWER_MAX:
        result.errors[name] = _(
            "最多只能填 %(max)d 个字（现在 %(n)d 个），请删减一些。", max=TEXT_ANSWER_MAX, n=len(text)
        )
    elif not text and question.required:
        result.errors[name] = _("这一项必须填写。")
    elif text:
        result.texts[question.id] = text


def read(questions: Sequence[SurveyQuestion], form) -> Answers:
    """Every question's answer from `form` (a MultiDict), with a message for each one that is not right."""
    result = Answers()
    for question in questions:
        name = field_name(question)
        raw = [str(v) for v in form.getlist(name)][:50]
        result.kept[name] = raw
        if question.kind == TEXT:
            _text(question, raw, result)
        else:
            _choices(question, raw, result)
    return result
