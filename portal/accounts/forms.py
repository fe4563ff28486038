"""Account forms: each field says what is wrong with it, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.accounts import services
from portal.core.forms import PortalForm


def phone_check(form, field) -> None:
    if services.has_foreign_digits(field.data):
        raise ValidationError(_l("手机号请用阿拉伯数字 0–9 填写。"))
    field.data = services.normalize_phone(field.data)
    if not services.valid_phone(field.data):
        raise ValidationError(_l("请填写 11 位手机号，例如 13800000000。"))


def code_check(form, field) -> None:
    if services.has_foreign_digits(field.data):
        raise ValidationError(_l("验证码请用阿拉伯数字 0–9 填写。"))
    field.data = services.normalize_code(field.data)
    if not services.valid_code(field.data):
        raise ValidationError(_l("验证码是 6 位数字。"))


def password_check(form, field) -> None:
    phone = getattr(form, "phone", None)
    problem = services.password_problem(field.data or "", phone.data if phone else "")
    if problem:
        raise ValidationError(problem)


class LoginForm(PortalForm):
    phone = StringField(_l("手机号"), validators=[DataRequired(_l("请填写手机号。")), phone_check])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码。"))])
    remember = BooleanField(_l("在这台设备上保持登录（公用电脑请不要勾选）"))
    submit = SubmitField(_l("登录"))


class SendCodeForm(PortalForm):
    phone = StringField(_l("手机号"), validators=[DataRequired(_l("请填写手机号。")), phone_check])


class RegisterForm(PortalForm):
    phone = StringField(_l("手机号"), validators=[DataRequired(_l("请填写手机号。")), phone_check])
    code = StringField(_l("短信验证码"), validators=[DataRequired(_l("请填写短信验证码。")), code_check])
    name = StringField(
        _l("真实姓名"), validators=[DataRequired(_l("请填写真实姓名。")), Length(2, 30, _l("姓名应为 2 到 30 个字。"))]
    )
    password = PasswordField(_l("设置密码"), validators=[DataRequired(_l("请设置密码。")), password_check])
    password2 = PasswordField(_l("再输一次密码"), validators=[EqualTo("password", _l("两次输入的密码不一样。"))])
    consent = BooleanField(_l("我已阅读并同意隐私说明"), validators=[DataRequired(_l("需要同意隐私说明才能注册。"))])


class PasswordChangeForm(PortalForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请填写当前密码。"))])
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码。")), password_check])
    password2 = PasswordField(_l("再输一次新密码"), validators=[EqualTo("password", _l("两次输入的密码不一样。"))])
    submit = SubmitField(_l("修改密码"))


class ResetForm(PortalForm):
    phone = StringField(_l("手机号"), validators=[DataRequired(_l("请填写手机号。")), phone_check])
    code = StringField(_l("短信验证码"), validators=[DataRequired(_l("请填写短信验证码。")), code_check])
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码。")), password_check])
    password2 = PasswordField(_l("再输一次新密码"), validators=[EqualTo("password", _l("两次输入的密码不一样。"))])
