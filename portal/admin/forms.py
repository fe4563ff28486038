"""Forms of the back office. Choices (units, mentors, counties, work items) are filled in by the views."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from portal.accounts.forms import phone_check
from portal.core.forms import PortalForm

# Roles an administrator creates; applicants register themselves.
NEW_ROLES = ("staff", "mentor", "office", "editor", "admin")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NewUserForm(PortalForm):
    role = SelectField(_l("角色"), validators=[DataRequired(_l("请选择角色。"))])
    name = StringField(
        _l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(2, 30, _l("姓名应为 2 到 30 个字。"))]
    )
    phone = StringField(_l("手机号"), validators=[DataRequired(_l("请填写手机号。")), phone_check])
    unit = SelectField(_l("所属单位"), default="")
    lead = BooleanField(_l("单位负责人（分派本单位的办件）"))
    mentor = SelectField(_l("导师库条目"), default="")


class UnitChangeForm(PortalForm):
    unit = SelectField(_l("新单位"), validators=[DataRequired(_l("请选择单位。"))])
    lead = BooleanField(_l("新单位的负责人"))


class GrantForm(PortalForm):
    reason = TextAreaField(
        _l("授权理由"),
        validators=[DataRequired(_l("请写明授权理由。")), Length(4, 500, _l("授权理由应为 4 到 500 个字。"))],
    )
    expires_on = StringField(_l("截止日期（含当天）"), validators=[DataRequired(_l("请填写截止日期。"))])


class UnitForm(PortalForm):
    version = HiddenField()
    code = StringField(
        _l("单位代码"),
        validators=[DataRequired(_l("请填写单位代码。")), Length(max=48, message=_l("最多 48 个字符。"))],
    )
    name = StringField(
        _l("全称"), validators=[DataRequired(_l("请填写单位全称。")), Length(max=128, message=_l("最多 128 个字。"))]
    )
    short_name = StringField(
        _l("简称"), validators=[DataRequired(_l("请填写简称。")), Length(max=64, message=_l("最多 64 个字。"))]
    )
    name_en = StringField(
        _l("英文名称"),
        validators=[DataRequired(_l("请填写英文名称。")), Length(max=200, message=_l("最多 200 个字符。"))],
    )
    level = SelectField(_l("级别"), validators=[DataRequired(_l("请选择级别。"))])
    dept = SelectField(_l("部门"), validators=[DataRequired(_l("请选择部门。"))])
    county = SelectField(_l("所在县区（县级单位）"), default="")
    parent = SelectField(_l("上级单位"), default="")
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=64, message=_l("最多 64 个字符。"))])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=255, message=_l("最多 255 个字。"))])
    hours = StringField(_l("办公时间"), validators=[Optional(), Length(max=128, message=_l("最多 128 个字。"))])
    duties = MultiCheckboxField(_l("牵头的工作要点事项"), coerce=str)
