"""Forms of the rules pages: a year's holiday schedule, a routing question ("try it"), a routing change."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.core.forms import NumberField, PortalForm
from portal.rules.holidays import check_schedule

NOTICE = re.compile(r"^\S.*[〔\[(（【]\d{4}[〕\])）】]\s*\d+\s*号$")


def _notice_number(form, field) -> None:
    if field.data and not NOTICE.match(field.data.strip()):
        raise ValidationError(_l("请按通知上的文号填写，例如 国办发明电〔2026〕7号。"))


class HolidayForm(PortalForm):
    year = SelectField(_l("年份"), coerce=int, validators=[InputRequired(_l("请选择年份。"))])
    off = TextAreaField(
        _l("放假日期"),
        validators=[DataRequired(_l("请填写放假日期。")), Length(max=4000, message=_l("最多 4000 个字符。"))],
    )
    workdays = TextAreaField(
        _l("调休上班日期（周末上班）"), validators=[Length(max=4000, message=_l("最多 4000 个字符。"))]
    )
    notice = StringField(
        _l("国务院办公厅通知文号"),
        validators=[
            DataRequired(_l("请填写通知的文号。")),
            Length(4, 100, _l("请填写 4 到 100 个字。")),
            _notice_number,
        ],
    )
    notice_date = DateField(_l("通知日期"), validators=[InputRequired(_l("请填写通知日期（年-月-日）。"))])
    version = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the dates against the year, so that every message shows at once."""
        valid = super().validate(extra_validators)
        if self.year.errors or self.year.data is None:
            return False
        schedule = check_schedule(self.year.data, self.off.data or "", self.workdays.data or "")
        for name, message in schedule.errors.items():
            if not self[name].errors:
                self[name].errors = [*self[name].errors, message]
        return valid and not schedule.errors


class TryForm(PortalForm):
    """A routing question: the facts of an imagined application (read by GET; nothing is written)."""

    class Meta:
        csrf = False

    type = SelectField(_l("申请类型"), validators=[InputRequired(_l("请选择申请类型。"))])
    county = SelectField(_l("申请人所在县区"), default="")
    course = SelectField(_l("培训项目"), default="")
    topic = SelectField(_l("辅导方向"), default="")
    collateral = SelectField(_l("抵押物"), default="")
    applicant_type = SelectField(_l("申请人类型"), default="")
    amount = NumberField(
        _l("贷款金额（万元）"),
        validators=[Optional(), NumberRange(Decimal(0), Decimal(10000), _l("要在 0 到 10000 之间。"))],
    )


class RoutingChangeForm(PortalForm):
    text = TextAreaField(_l("规则（YAML）"), validators=[DataRequired(_l("请填写规则。"))])
    note = StringField(
        _l("修改说明"),
        validators=[
            DataRequired(_l("请说明为什么修改（例如依据的文件）。")),
            Length(2, 500, _l("请填写 2 到 500 个字。")),
        ],
    )


class RejectForm(PortalForm):
    reason = StringField(
        _l("不通过的理由"),
        validators=[DataRequired(_l("请写明不通过的理由，作者能看到。")), Length(2, 500, _l("请填写 2 到 500 个字。"))],
    )
