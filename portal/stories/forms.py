"""Forms of the stories area. Fields carry text; the rules are in `operations` and `photos`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal.catalog.vocab import INDUSTRIES
from portal.core.forms import PortalForm
from portal.core.i18n import local_name
from portal.stories.vocab import CONSENT_METHODS, SUPPORT_KINDS


def choices(pairs, blank=_l("请选择")) -> list[SelectChoice]:
    options = [SelectChoice(value=value, label=label) for value, label in pairs]
    return ([SelectChoice(value="", label=blank)] if blank is not None else []) + options


class StoryForm(PortalForm):
    title = StringField(_l("标题"))
    body = TextAreaField(_l("正文"), render_kw={"rows": 16})
    county = SelectField(_l("县区"), validate_choice=False)
    industry = SelectField(_l("行业"), choices=choices(INDUSTRIES.items()), validate_choice=False)
    venture_id = StringField(_l("本人的项目展示编号（可不填）"))
    policies = SelectMultipleField(SUPPORT_KINDS["policies"], validate_choice=False)
    bases = SelectMultipleField(SUPPORT_KINDS["bases"], validate_choice=False)
    parks = SelectMultipleField(SUPPORT_KINDS["parks"], validate_choice=False)
    mentors = SelectMultipleField(SUPPORT_KINDS["mentors"], validate_choice=False)

    def __init__(self, *args, counties=(), support=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.county.choices = choices((c.code, local_name(c)) for c in counties)
        for kind, pairs in (support or {}).items():
            self[kind].choices = choices(pairs, blank=None)
        for name in ("title", "body", "county", "industry"):
            self[name].flags.required = True

    def values(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in ("title", "body", "county", "industry", "venture_id")}

    def supports(self) -> dict[str, list[str]]:
        return {kind: list(self[kind].data or []) for kind in SUPPORT_KINDS}


class PhotoForm(PortalForm):
    photo = FileField(_l("照片（JPEG、PNG 或 WebP，最大 10 MB）"))
    alt = StringField(_l("替代文字：照片上是什么"))
    caption = StringField(_l("图片说明（可不填）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.photo.flags.required = self.alt.flags.required = True


class ConsentForm(PortalForm):
    person_name = StringField(_l("同意人姓名"))
    method = RadioField(_l("同意的方式"), choices=choices(CONSENT_METHODS.items(), blank=None), validate_choice=False)
    consented_on = StringField(_l("同意日期"))
    scope = TextAreaField(_l("同意公开的范围"))
    scan = FileField(_l("同意书扫描件（可不传；PDF、JPEG 或 PNG）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("person_name", "method", "consented_on", "scope"):
            self[name].flags.required = True


class WithdrawForm(PortalForm):
    withdrawal_note = TextAreaField(_l("本人何时、怎样撤回了同意"))


class MoveForm(PortalForm):
    note = TextAreaField(_l("退回或撤下的原因"))
