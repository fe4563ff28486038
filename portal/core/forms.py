"""The base of every form: WTForms' own messages in the reader's language.

Flask-WTF translates WTForms' built-in messages with the catalog WTForms ships, but that catalog lacks some
messages (a tampered multiple choice answered "'zzz' is not a valid choice for this field." on a Chinese page)
and words others stiffly. The messages a person can meet are worded here, as msgids of the portal's own catalog
(so the English page gets the English text); anything else falls back to WTForms' catalog.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import DecimalField, IntegerField

MESSAGES = {
    "This field is required.": _l("这一项必须填写。"),
    "Not a valid choice.": _l("请从列表里选择一项。"),
    "Invalid Choice: could not coerce.": _l("请从列表里选择一项。"),
    "'%(value)s' is not a valid choice for this field.": _l("“%(value)s”不在可选范围内，请从列表里选择。"),
    "'%(value)s' are not valid choices for this field.": _l("“%(value)s”不在可选范围内，请从列表里选择。"),
    "Not a valid integer value.": _l("请填写整数。"),
    "Not a valid decimal value.": _l("请填写数字。"),
    "Not a valid float value.": _l("请填写数字。"),
    "Not a valid date value.": _l("请按 年-月-日 填写日期。"),
    "Not a valid time value.": _l("请按 时:分 填写时间。"),
    "Not a valid datetime value.": _l("请填写日期和时间。"),
    "Number must be at least %(min)s.": _l("不能小于 %(min)s。"),
    "Number must be at most %(max)s.": _l("不能大于 %(max)s。"),
    "Number must be between %(min)s and %(max)s.": _l("要在 %(min)s 到 %(max)s 之间。"),
    "Field must be at least %(min)d character long.": _l("至少要填 %(min)d 个字。"),
    "Field must be at least %(min)d characters long.": _l("至少要填 %(min)d 个字。"),
    "Field must be at most %(max)d character long.": _l("最多只能填 %(max)d 个字。"),
    "Field must be at most %(max)d characters long.": _l("最多只能填 %(max)d 个字。"),
    "Field must be between %(min)d and %(max)d characters long.": _l("要填 %(min)d 到 %(max)d 个字。"),
    "Invalid input.": _l("填写的内容不对，请核对。"),
    "CSRF token missing.": _l("页面已过期，请刷新后重新提交。"),
    "CSRF failed.": _l("页面已过期，请刷新后重新提交。"),
    "CSRF token expired.": _l("页面已过期，请刷新后重新提交。"),
    "Invalid CSRF Token.": _l("页面已过期，请刷新后重新提交。"),
    "The CSRF token is missing.": _l("页面已过期，请刷新后重新提交。"),
    "The CSRF session token is missing.": _l("页面已过期，请刷新后重新提交。"),
    "The CSRF token has expired.": _l("页面已过期，请刷新后重新提交。"),
    "The CSRF token is invalid.": _l("页面已过期，请刷新后重新提交。"),
    "The CSRF tokens do not match.": _l("页面已过期，请刷新后重新提交。"),
}


class Translations:
    """What WTForms asks for: gettext and ngettext over its English source strings."""

    def gettext(self, string: str) -> str:
        if string in MESSAGES:
            return str(MESSAGES[string])
        return wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        chosen = singular if n == 1 else plural
        if chosen in MESSAGES:
            return str(MESSAGES[chosen])
        return wtforms_translations.ngettext(singular, plural, n)


translations = Translations()


class PortalForm(FlaskForm):
    """Every form of the portal derives from this one."""

    class Meta:
        def get_translations(self, form):
            return translations


def _plain_digits(field, valuelist):
    """Full-width digits and signs (１２.５) as the ASCII the answer is kept in; what is kept is what is shown."""
    valuelist = [unicodedata.normalize("NFKC", v).strip() for v in valuelist or []]
    field.raw_data = valuelist
    return valuelist


class NumberField(DecimalField):
    """A decimal whose "not a number" message speaks plainly, in the reader's language. NaN, Infinity and numbers
    too large to be an amount are not numbers here."""

    def process_formdata(self, valuelist):
        valuelist = _plain_digits(self, valuelist)
        try:
            super().process_formdata(valuelist)
            if self.data is not None and not self.data.is_finite():
                raise ValueError
        except (ValueError, ArithmeticError):
            self.data = None
            raise ValueError(_l("请填写数字，例如 20 或 12.5。")) from None


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        valuelist = _plain_digits(self, valuelist)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("请填写整数，例如 3。")) from None
