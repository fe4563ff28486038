"""Entry forms built from the content schema (`portal/content/schema.py`): one field per field of the file, so the
form and `content load` check the same things with the same messages. The fields only carry text; `to_raw` turns
it into the values a file would hold (numbers, lists one per line, true/false) and `operations.check` judges them."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal.content import entries, schema
from portal.core.forms import PortalForm

LABELS = {
    "slug": _l("网址名"),
    "name": _l("名称"),
    "title": _l("标题"),
    "tags": _l("检索关键词"),
    "sample": _l("示例数据（不是核实过的真实条目）"),
    "source": _l("来源"),
    "type": _l("类型"),
    "level": _l("级别"),
    "county": _l("县区"),
    "address": _l("地址"),
    "operator": _l("运营单位"),
    "services": _l("服务"),
    "capacity": _l("可容纳的企业或团队数"),
    "contact": _l("联系人"),
    "phone": _l("电话"),
    "lat": _l("纬度"),
    "lng": _l("经度"),
    "year": _l("年份"),
    "description": _l("介绍"),
    "industry": _l("产业"),
    "area_mu": _l("面积（亩）"),
    "enterprises": _l("入驻企业数"),
    "jobs": _l("带动就业人数"),
    "company": _l("实施企业"),
    "park": _l("所在园区（园区的网址名）"),
    "investment_wan": _l("投资（万元）"),
    "organisation": _l("工作单位"),
    "expertise": _l("擅长领域"),
    "counties": _l("服务县区"),
    "bio": _l("简介"),
    "accepts_visits": _l("参加创业导师乡村行"),
    "issuer": _l("发布机关"),
    "doc_number": _l("文号"),
    "issued": _l("发布日期"),
    "effective": _l("生效日期"),
    "expires": _l("失效日期"),
    "category": _l("类别"),
    "summary": _l("摘要"),
    "eligibility": _l("适用对象"),
    "benefits": _l("政策内容"),
    "how_to_apply": _l("办理步骤"),
    "application_type": _l("对应的在线申请"),
    "units": _l("经办单位（单位代码）"),
    "body": _l("正文（Markdown）"),
}
LIST_KINDS = {"list", "enumlist", "intlist", "counties"}
INT_RE = re.compile(r"^[+-]?\d{1,12}$")
FLOAT_RE = re.compile(r"^[+-]?\d{1,12}(\.\d{1,12})?$")


def _label(f: schema.Field):
    return f"{LABELS.get(f.name, f.name)} ({f.name})"


def _field(f: schema.Field):
    label = _label(f)
    if f.kind == "bool":
        return BooleanField(label)
    if f.kind == "enum":
        options = [SelectChoice(value="", label="—"), *[SelectChoice(value=c, label=c) for c in f.choices or ()]]
        return SelectField(label, choices=options, validate_choice=False)
    if f.kind == "text" or f.kind in LIST_KINDS:
        return TextAreaField(label)
    return StringField(label)


_FORMS: dict[str, type] = {}


def form_class(kind: str) -> type:
    """The entry form of a kind (built once)."""
    if kind not in _FORMS:
        attrs: dict[str, Any] = {f.name: _field(f) for f in entries.KINDS[kind].fields}
        if kind == "policies":
            attrs["body"] = TextAreaField(_label(schema.Field("body")))
        _FORMS[kind] = type(f"{kind.title()}EntryForm", (PortalForm,), attrs)
    return _FORMS[kind]


def entry_form(kind: str, formdata=None, data: dict | None = None):
    form = form_class(kind)(formdata=formdata, data=_form_values(kind, data) if data and formdata is None else None)
    for f in entries.KINDS[kind].fields:
        form[f.name].flags.required = f.required
    if kind == "policies":
        form["body"].flags.required = True
    return form


def _form_values(kind: str, data: dict) -> dict:
    """Content data as the form shows it: lists one item per line."""
    values = {}
    for f in entries.KINDS[kind].fields:
        value = data.get(f.name)
        if f.kind in LIST_KINDS:
            value = "\n".join(str(v) for v in value or [])
        elif value is None:
            value = False if f.kind == "bool" else ""
        elif f.kind != "bool":
            value = str(value)
        values[f.name] = value
    if kind == "policies":
        values["body"] = data.get("body") or ""
    return values


def to_raw(kind: str, form) -> dict:
    """What the editor typed, as a file would hold it: the schema's checks then judge it."""
    raw: dict[str, Any] = {}
    for f in entries.KINDS[kind].fields:
        value = form[f.name].data
        if f.kind == "bool":
            raw[f.name] = bool(value)
            continue
        text = (value or "").strip()
        if f.kind in LIST_KINDS:
            items = [line.strip() for line in text.splitlines() if line.strip()]
            if f.kind == "intlist":
                items = [int(i) if INT_RE.match(i) else i for i in items]
            raw[f.name] = items or None
        elif f.kind == "int" and INT_RE.match(text):
            raw[f.name] = int(text)
        elif f.kind == "float" and FLOAT_RE.match(text):
            raw[f.name] = float(text)
        elif f.kind == "text":
            raw[f.name] = (value or "").replace("\r\n", "\n").strip() or None
        else:
            raw[f.name] = text or None
    if kind == "policies":
        raw["body"] = (form["body"].data or "").replace("\r\n", "\n")
    return raw


class ReasonForm(PortalForm):
    reason = TextAreaField(_l("撤下的原因（公众看不到，编辑和审核人看得到）"))


class ReviewForm(PortalForm):
    note = TextAreaField(_l("退回的原因（作者会看到）"))


class ActionForm(PortalForm):
    """A button that carries nothing but the CSRF token (submit, publish, withdraw, restore…)."""
