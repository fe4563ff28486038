"""Forms of the office: a year's target (city or one county) and a county's off-line monthly figure."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from portal.core.forms import NumberField, PortalForm

MAX = Decimal("999999999")


def _two_decimals(form, field) -> None:
    if field.data is None or field.errors:
        return  # not a number, or out of range: already said
    if field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError(_l("最多两位小数。"))


class TargetForm(PortalForm):
    indicator = SelectField(_l("指标"), validators=[DataRequired(_l("请选择指标。"))])
    county = SelectField(_l("范围"), default="")
    value = NumberField(
        _l("目标数值"),
        validators=[
            InputRequired(_l("请填写目标数值。")),
            NumberRange(Decimal("0.01"), MAX, _l("目标数值应大于 0、不超过 999999999。")),
            _two_decimals,
        ],
    )
    source = StringField(
        _l("依据文件"),
        validators=[DataRequired(_l("请写明目标的依据文件（文号）。")), Length(2, 200, _l("请填写 2 到 200 个字。"))],
    )


class OfflineForm(PortalForm):
    indicator = SelectField(_l("指标"), validators=[DataRequired(_l("请选择指标。"))])
    county = SelectField(_l("县（市、区）"), validators=[DataRequired(_l("请选择县区。"))])
    month = SelectField(_l("月份"), validators=[DataRequired(_l("请选择月份。"))])
    value = NumberField(
        _l("数值"),
        validators=[
            InputRequired(_l("请填写数值（没有发生就填 0）。")),
            NumberRange(Decimal(0), MAX, _l("数值不能小于 0，也不能超过 999999999。")),
            _two_decimals,
        ],
    )
    note = StringField(
        _l("说明（来源、承办机构等）"),
        validators=[DataRequired(_l("请说明数据来源，例如承办的培训机构和报表名称。")), Length(2, 500)],
    )
