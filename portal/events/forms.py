"""The event form an organiser fills in. Fields are read as text and parsed in `checks` (full-width digits and
odd dates get a clear message there, never a 500); the rules themselves are checked in `checks.validate`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.applications.forms import choices
from portal.core.forms import PortalForm
from portal.core.guard import parse_day
from portal.core.i18n import is_chinese, local_name
from portal.events import vocab
from portal.events.checks import EventInput, parse_count, parse_time


def _with_note(name: str, note: str) -> str:
    return f"{name}（{note}）" if is_chinese() else f"{name} ({note})"


class EventForm(PortalForm):
    kind = SelectField(_l("活动类型"), choices=choices(vocab.KINDS.items()))
    title = StringField(_l("活动名称"), validators=[Optional()])
    description = TextAreaField(_l("活动介绍（内容、议程、适合谁参加、要带什么）"), validators=[Optional()])
    start_day = StringField(_l("开始日期"), validators=[Optional()])
    start_time = StringField(_l("开始时间"), validators=[Optional()])
    end_day = StringField(_l("结束日期（当天结束可不填）"), validators=[Optional()])
    end_time = StringField(_l("结束时间"), validators=[Optional()])
    deadline_day = StringField(_l("报名截止日期（不填则到开始时截止）"), validators=[Optional()])
    deadline_time = StringField(_l("报名截止时间"), validators=[Optional()])
    place_kind = RadioField(_l("活动地点"), choices=choices(vocab.PLACES.items(), blank=None), validators=[Optional()])
    place = SelectField(_l("孵化基地或园区"), validators=[Optional()])
    county = SelectField(_l("县区（其他地址或线上活动时填）"), validators=[Optional()])
    address = StringField(_l("详细地址"), validators=[Optional()])
    online_url = StringField(_l("参会链接（线上活动）"), validators=[Optional()])
    capacity = StringField(_l("可报名人数"), validators=[Optional()])
    audience = RadioField(_l("谁可以报名"), choices=choices(vocab.AUDIENCES.items(), blank=None), default="anyone",
                          validators=[Optional()])  # fmt: skip

    def set_choices(self, counties, parks, bases) -> None:
        self.county.choices = choices((c.code, local_name(c)) for c in counties)
        places = [(f"base:{b.slug}", _with_note(b.name, local_name(b.county))) for b in bases]
        places += [(f"park:{p.slug}", _with_note(p.name, local_name(p.county))) for p in parks]
        self.place.choices = choices(places)

    def to_input(self) -> EventInput:
        end_day = parse_day(self.end_day.data) if (self.end_day.data or "").strip() else None
        return EventInput(
            kind=self.kind.data or "",
            title=self.title.data or "",
            description=self.description.data or "",
            start_day=parse_day(self.start_day.data),
            start_time=parse_time(self.start_time.data),
            end_day=end_day,
            end_time=parse_time(self.end_time.data),
            deadline_day=parse_day(self.deadline_day.data) if (self.deadline_day.data or "").strip() else None,
            deadline_time=parse_time(self.deadline_time.data) if (self.deadline_time.data or "").strip() else None,
            place_kind=self.place_kind.data or "",
            place=self.place.data or "",
            county=self.county.data or "",
            address=self.address.data or "",
            online_url=self.online_url.data or "",
            capacity=parse_count(self.capacity.data),
            audience=self.audience.data or "",
        )

    def fill_from(self, event, to_local) -> None:
        start, end, deadline = to_local(event.starts_at), to_local(event.ends_at), to_local(event.deadline_at)
        self.kind.data, self.title.data, self.description.data = event.kind, event.title, event.description
        self.start_day.data, self.start_time.data = start.date().isoformat(), start.strftime("%H:%M")
        self.end_day.data = end.date().isoformat() if end.date() != start.date() else ""
        self.end_time.data = end.strftime("%H:%M")
        if deadline != start:
            self.deadline_day.data, self.deadline_time.data = deadline.date().isoformat(), deadline.strftime("%H:%M")
        if event.place_kind in ("base", "park"):
            self.place_kind.data = "catalog"
            slug = event.base.slug if event.place_kind == "base" else event.park.slug
            self.place.data = f"{event.place_kind}:{slug}"
        else:
            self.place_kind.data = event.place_kind
        self.county.data = event.county.code
        self.address.data = event.address if event.place_kind == "address" else ""
        self.online_url.data = event.online_url or ""
        self.capacity.data = str(event.capacity)
        self.audience.data = event.audience
