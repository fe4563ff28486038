"""What an event must say, checked with a clear message per field (all at once): times in Beijing time, not past,
end after start, registration closing before the start, a capacity between 1 and MAX_CAPACITY, a place that
exists (a catalog base or park, an address, or an online link)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.catalog.models import County, IncubationBase, Park
from portal.errors import InvalidInput
from portal.events import vocab
from portal.events.queries import local_now
from portal.extensions import db

MAX_CAPACITY = 5000
MAX_DAYS = 31  # a 返乡创业成果展示月 lasts a month
AHEAD_DAYS = 366
URL = re.compile(r"https?://[^\s<>\"']{3,490}", re.ASCII)
TIME = re.compile(r"([0-9]{1,2})[:：]([0-9]{2})")


@dataclass
class EventInput:
    kind: str = ""
    title: str = ""
    description: str = ""
    start_day: date | None = None
    start_time: time | None = None
    end_day: date | None = None
    end_time: time | None = None
    deadline_day: date | None = None
    deadline_time: time | None = None
    place_kind: str = ""  # catalog, address, online
    place: str = ""  # "base:slug" or "park:slug"
    county: str = ""
    address: str = ""
    online_url: str = ""
    capacity: int | None = None
    audience: str = "anyone"


class EventErrors(InvalidInput):
    """Several field messages at once; `errors` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def digits(raw: str | None) -> str:
    """Full-width characters typed on a Chinese keyboard (２０, ０９：３０) read as their ASCII twins; nothing else
    is changed ("²" stays "²", which is not a number)."""
    return (raw or "").translate(FULL_WIDTH).strip()


def parse_time(raw: str | None) -> time | None:
    match = TIME.fullmatch(digits(raw))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_count(raw: str | None) -> int | None:
    """A count in digits (full-width ones too); None for anything else ("²", "1e3", "-1", "")."""
    text = digits(raw)
    if not text or len(text) > 9 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def _times(data: EventInput, errors: dict, is_new: bool) -> None:
    if data.start_day is None:
        errors["start_day"] = _("请按 年-月-日 填写开始日期。")
    if data.start_time is None:
        errors["start_time"] = _("请按 时:分 填写开始时间。")
    if data.end_time is None:
        errors["end_time"] = _("请按 时:分 填写结束时间。")
    if errors.keys() & {"start_day", "start_time", "end_time"}:
        return
    now = local_now()
    start = datetime.combine(data.start_day, data.start_time)
    end = datetime.combine(data.end_day or data.start_day, data.end_time)
    if start <= now:
        errors["start_day"] = _("活动开始时间已经过去了，请选择以后的时间。")
    elif data.start_day > now.date() + timedelta(days=AHEAD_DAYS):
        errors["start_day"] = _("最多只能发布一年以内的活动。")
    if end <= start:
        errors["end_time"] = _("结束时间要晚于开始时间。")
    elif end - start > timedelta(days=MAX_DAYS):
        errors["end_day"] = _("一次活动最长 %(n)s 天；更长的请分期发布。", n=MAX_DAYS)
    if (data.deadline_day is None) != (data.deadline_time is None):
        errors["deadline_day"] = _("报名截止要同时填日期和时间；不填则到活动开始时截止。")
    elif data.deadline_day is not None:
        deadline = datetime.combine(data.deadline_day, data.deadline_time)
        if deadline > start:
            errors["deadline_day"] = _("报名截止时间不能晚于活动开始时间。")
        elif is_new and deadline <= now:
            errors["deadline_day"] = _("报名截止时间已经过去了。")


def _place(data: EventInput, errors: dict) -> tuple[County | None, dict]:
    place = {"place_kind": data.place_kind, "base_id": None, "park_id": None, "address": None, "online_url": None}
    if data.place_kind not in vocab.PLACES:
        errors["place_kind"] = _("请选择活动地点：名录里的基地或园区、其他地址，或线上。")
        return None, place
    if data.place_kind == "catalog":
        kind, _sep, slug = (data.place or "").partition(":")
        model = {"base": IncubationBase, "park": Park}.get(kind)
        found = db.session.scalar(sa.select(model).where(model.slug == slug)) if model and slug else None
        if found is None:
            errors["place"] = _("没有找到这个基地或园区，请从名录里选择。")
            return None, place
        place.update(place_kind=kind, address=found.address, **{f"{kind}_id": found.id})
        return db.session.get(County, found.county_id), place
    county = db.session.scalar(sa.select(County).where(sa.or_(County.code == data.county, County.name == data.county)))
    if county is None:
        errors["county"] = _("请选择活动所在的县区。")
    if data.place_kind == "address":
        address = data.address.strip()
        if len(address) < 4:
            errors["address"] = _("请填写详细地址，方便大家找到。")
        elif len(address) > 255:
            errors["address"] = _("地址最多 255 个字。")
        place["address"] = address
    else:
        url = data.online_url.strip()
        if not URL.fullmatch(url):
            errors["online_url"] = _("请填写以 https:// 或 http:// 开头的参会链接。")
        place["online_url"] = url
    return county, place


def validate(data: EventInput, is_new: bool = True) -> tuple[County, dict]:
    """The event's columns, or EventErrors naming every field that is wrong."""
    errors: dict[str, str] = {}
    if data.kind not in vocab.KINDS:
        errors["kind"] = _("请选择活动类型。")
    title = " ".join(data.title.split())
    if len(title) < 4:
        errors["title"] = _("请填写活动名称（至少 4 个字）。")
    elif len(title) > 120:
        errors["title"] = _("活动名称最多 120 个字。")
    description = data.description.strip()
    if len(description) > 5000:
        errors["description"] = _("活动介绍最多 5000 个字。")
    _times(data, errors, is_new)
    county, place = _place(data, errors)
    if data.capacity is None:
        errors["capacity"] = _("请用数字填写可报名人数。")
    elif data.capacity < 1:
        errors["capacity"] = _("可报名人数至少为 1。")
    elif data.capacity > MAX_CAPACITY:
        errors["capacity"] = _("可报名人数最多 %(n)s 人；人数更多请分场次发布。", n=MAX_CAPACITY)
    if data.audience not in vocab.AUDIENCES:
        errors["audience"] = _("请选择谁可以报名。")
    if errors:
        raise EventErrors(errors)
    return county, {
        "kind": data.kind,
        "title": title,
        "description": description,
        "capacity": data.capacity,
        "audience": data.audience,
        **place,
    }
