"""The survey's details, a question, and the CSRF-only forms of the answer page and the buttons. The fields only
carry text: every rule is in `checks` (details, questions) and `answers` (a person's answers)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal.core.forms import PortalForm
from portal.surveys import audiences

KIND_LABELS = {
    "single": _l("单选题"),
    "multiple": _l("多选题"),
    "scale": _l("打分题（1–5 分）"),
    "text": _l("填空题（文字回答）"),
}
ANONYMITY = {"anonymous": _l("匿名：不记录谁填了什么（推荐）"), "named": _l("实名：结果里能看到填写人")}


class SurveyForm(PortalForm):
    title = StringField(_l("调查标题"))
    purpose = TextAreaField(_l("调查目的（告诉大家为什么调查、结果怎么用）"))
    audience = SelectField(_l("调查对象"), validate_choice=False)
    anonymity = RadioField(
        _l("匿名还是实名"),
        choices=[SelectChoice(value=k, label=v) for k, v in ANONYMITY.items()],
        default="anonymous",
        validate_choice=False,
    )
    opens_on = StringField(_l("开始日期（年-月-日）"))
    closes_on = StringField(_l("截止日期（年-月-日，当天仍可回答）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = [SelectChoice(value="", label=_l("请选择"))] + [
            SelectChoice(value=value, label=label) for value, label in audiences.options()
        ]
        for name in ("title", "purpose", "audience", "anonymity", "opens_on", "closes_on"):
            self[name].flags.required = True

    def values(self) -> dict[str, str]:
        return {
            name: self[name].data or ""
            for name in ("title", "purpose", "audience", "anonymity", "opens_on", "closes_on")
        }


class QuestionForm(PortalForm):
    kind = RadioField(
        _l("题型"), choices=[SelectChoice(value=k, label=v) for k, v in KIND_LABELS.items()], validate_choice=False
    )
    text = StringField(_l("问题内容"))
    required = BooleanField(_l("必答"), default=True)
    options = TextAreaField(_l("选项（单选题、多选题：每行一个，2 到 12 个）"))
    max_choices = StringField(_l("最多可选几项（多选题；不限就不填）"))
    scale_low = StringField(_l("1 分表示（打分题，例如：很不满意）"))
    scale_high = StringField(_l("5 分表示（打分题，例如：很满意）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.flags.required = self.text.flags.required = True

    def values(self) -> dict[str, str]:
        values = {
            name: self[name].data or ""
            for name in ("kind", "text", "options", "max_choices", "scale_low", "scale_high")
        }
        values["required"] = "y" if self.required.data else ""
        return values


class AnswerForm(PortalForm):
    """The answers themselves are read by `answers.read` (one field per question); this carries the CSRF token."""


class ActionForm(PortalForm):
    """Buttons that change a survey (open, close, delete or move a question): the CSRF token only."""
