"""The registration form (the person's own, and staff's 帮办 with the person's name and mobile), the decision
fields and the import upload. The fields only carry text: every rule is in `checks`, shared with the import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal.core.forms import PortalForm
from portal.core.i18n import local_name
from portal.registry.checks import FIELDS, PERSON_FIELDS
from portal.registry.vocab import FORMS, INDUSTRIES, RETURNED_FROM


def choices(pairs, blank=_l("请选择")) -> list[SelectChoice]:
    """Select options from (value, label) pairs, with a leading empty choice when `blank` is given."""
    options = [SelectChoice(value=value, label=label) for value, label in pairs]
    return ([SelectChoice(value="", label=blank)] if blank is not None else []) + options


def _required(form: PortalForm, *names: str) -> None:
    """Marked required on the page (the asterisk and the browser's hint); the rules themselves are in `checks`."""
    for name in names:
        form[name].flags.required = True


class RegistrationForm(PortalForm):
    business_name = StringField(_l("经营主体名称（与营业执照一致）"))
    # Choices are checked by `checks` (with the other answers' messages), not by WTForms alone.
    form = SelectField(_l("主体类型"), choices=choices(FORMS.items()), validate_choice=False)
    uscc = StringField(_l("统一社会信用代码"))
    reg_no = StringField(_l("注册号（只限个体工商户，没有统一社会信用代码时填）"))
    registered_on = StringField(_l("登记（成立）日期"))
    county = SelectField(_l("所在县区"), validate_choice=False)
    township = StringField(_l("乡镇（街道）"))
    industry = SelectField(_l("行业"), choices=choices(INDUSTRIES.items()), validate_choice=False)
    jobs = StringField(_l("带动就业人数（含本人以外的雇工，没有填 0）"))
    returned_from = RadioField(
        _l("从哪里返乡"), choices=choices(RETURNED_FROM.items(), blank=None), validate_choice=False
    )
    returned_on = StringField(_l("返乡时间（年-月）"))

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.county.choices = choices((c.code, local_name(c)) for c in counties)
        _required(self, *[f for f in FIELDS if f not in ("uscc", "reg_no")])

    def values(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in (*FIELDS, *PERSON_FIELDS) if name in self}


class ProxyForm(RegistrationForm):
    """帮办: the same answers, plus who the business belongs to; a code goes to their mobile."""

    person_name = StringField(_l("本人姓名"))
    person_phone = StringField(_l("本人手机号（确认码发到这里）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self, *PERSON_FIELDS)


class AnswerForm(PortalForm):
    note = TextAreaField(_l("补充说明（证明材料的情况，例如营业执照已拍照送到乡镇）"))


class DecisionForm(PortalForm):
    proof_reason = TextAreaField(_l("需要补充什么证明"))
    reject_reason = TextAreaField(_l("不予确认的原因"))


class ConsentForm(PortalForm):
    code = StringField(_l("本人收到的 6 位确认码"))


class ImportForm(PortalForm):
    file = FileField(_l("填好的 .xlsx 文件"))
