"""The booking form a mentor fills in; the rules themselves are checked in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.applications.forms import choices
from portal.catalog import vocab
from portal.core.forms import PortalForm
from portal.core.i18n import is_chinese, local_name

DEST_KINDS = {
    "township": _l("乡镇（街道）"),
    "park": _l("返乡创业园区"),
    "base": _l("孵化基地"),
    "enterprise": _l("企业"),
}

TOO_LONG = _l("请填写不超过 %(max)d 个字。")  # the column's length: longer never reaches the database


class LenientDate(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class LenientTime(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


class LenientInt(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


def _with_note(name: str, note: str) -> str:
    return f"{name}（{note}）" if is_chinese() else f"{name} ({note})"


class VisitForm(PortalForm):
    dest_kind = SelectField(_l("去哪里"), choices=choices(DEST_KINDS.items()))
    county = SelectField(_l("县区（去乡镇或企业时填）"), validators=[Optional()])
    township = StringField(_l("乡镇（街道）名称"), validators=[Optional(), Length(max=64, message=TOO_LONG)])
    place_slug = SelectField(_l("园区或基地（从名录中选）"), validators=[Optional()])
    enterprise_name = StringField(_l("企业名称"), validators=[Optional(), Length(max=120, message=TOO_LONG)])
    address = StringField(_l("企业地址"), validators=[Optional(), Length(max=255, message=TOO_LONG)])
    day = LenientDate(_l("日期"), validators=[Optional()])
    start = LenientTime(_l("开始时间"), validators=[Optional()])
    end = LenientTime(_l("结束时间"), validators=[Optional()])
    topics = SelectMultipleField(
        _l("辅导主题"),
        choices=choices(vocab.EXPERTISE.items(), blank=None),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    capacity = LenientInt(_l("可报名人数"), validators=[Optional()])
    note = TextAreaField(_l("备注（给报名者看的说明）"), validators=[Optional()])

    def set_choices(self, counties, parks, bases) -> None:
        self.county.choices = choices((c.code, local_name(c)) for c in counties)
        places = [(f"base:{b.slug}", _with_note(b.name, local_name(b.county))) for b in bases]
        places += [(f"park:{p.slug}", _with_note(p.name, local_name(p.county))) for p in parks]  # as on events
        self.place_slug.choices = choices(places)
