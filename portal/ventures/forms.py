"""Forms of the project showcase. The fields only carry text: the rules are in `checks` and `operations`, which
speak at the fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from portal.catalog.vocab import INDUSTRIES
from portal.core.forms import PortalForm
from portal.core.i18n import local_name
from portal.ventures.checks import FIELDS
from portal.ventures.vocab import CONTACT, FUNDS, PURPOSES, SEEKS, STAGES


def choices(pairs, blank=_l("请选择")) -> list[SelectChoice]:
    options = [SelectChoice(value=value, label=label) for value, label in pairs]
    return ([SelectChoice(value="", label=blank)] if blank is not None else []) + options


class VentureForm(PortalForm):
    name = StringField(_l("项目名称"))
    makes = TextAreaField(_l("项目做什么（产品或服务、规模、特色）"))
    county = SelectField(_l("所在县区"), validate_choice=False)
    industry = SelectField(_l("行业"), choices=choices(INDUSTRIES.items()), validate_choice=False)
    stage = RadioField(_l("项目阶段"), choices=choices(STAGES.items(), blank=None), validate_choice=False)
    jobs_created = StringField(_l("已带动就业（人）"))
    jobs_planned = StringField(_l("计划带动就业（人）"))
    seeks = SelectMultipleField(
        _l("需要什么支持（可多选）"),
        choices=choices(SEEKS.items(), blank=None),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    investment_wan = StringField(_l("融资需求（万元）"))
    contact_pref = RadioField(_l("怎样联系您"), choices=choices(CONTACT.items(), blank=None), validate_choice=False)
    contact_name = StringField(_l("联系人"))
    contact_phone = StringField(_l("联系手机"))

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.county.choices = choices((c.code, local_name(c)) for c in counties)
        for name in ("name", "makes", "county", "industry", "stage", "seeks", "contact_pref", "contact_name",
                     "contact_phone"):  # fmt: skip
            self[name].flags.required = True

    def values(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in FIELDS}


class ReasonForm(PortalForm):
    reason = TextAreaField(_l("退回或停止展示的原因（本人会看到）"))


class LinkForm(PortalForm):
    project = SelectField(_l("对应的示范项目"), validate_choice=False)


class ShortlistForm(PortalForm):
    name = StringField(_l("名单名称"))
    purpose = SelectField(_l("用途"), choices=choices(PURPOSES.items()), validate_choice=False)
    event = SelectField(_l("本单位的活动"), validate_choice=False)
    event_label = StringField(_l("用于哪场活动（名称、地点）"))
    event_on = StringField(_l("活动日期"))
    note = TextAreaField(_l("备注"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.name.flags.required = self.purpose.flags.required = True


class AddForm(PortalForm):
    shortlist = SelectField(_l("加入名单"), validate_choice=False)


class RecommendForm(PortalForm):
    fund = SelectField(_l("推荐到"), choices=choices(FUNDS.items(), blank=None), validate_choice=False)
    recommended_on = StringField(_l("推荐日期"))
    note = TextAreaField(_l("推荐理由"))


class OutcomeForm(PortalForm):
    outcome_note = TextAreaField(_l("基金的答复"))
