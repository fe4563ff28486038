"""The booking rules of 创业导师乡村行: what a booking must say, and the clash rules (no overlap, time to travel
between counties, a cap of visits per place and day), checked under row locks so they hold under concurrency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from portal.catalog import vocab
from portal.catalog.models import County, IncubationBase, Mentor, Park
from portal.errors import InvalidInput
from portal.extensions import db
from portal.visits.models import Visit, VisitPlaceDay
from portal.visits.queries import describe, local_now
from portal.visits.states import ACTIVE

DEST_KINDS = ("township", "park", "base", "enterprise")
MAX_CAPACITY = 200
MAX_HOURS = 12


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass
class VisitInput:
    dest_kind: str = ""
    county: str = ""
    township: str = ""
    place_slug: str = ""
    enterprise_name: str = ""
    address: str = ""
    day: date | None = None
    start: time | None = None
    end: time | None = None
    topics: list[str] = field(default_factory=list)
    capacity: int | None = None
    note: str = ""


class VisitErrors(InvalidInput):
    """Several field messages at once; `errors` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def _resolve_place(data: VisitInput, errors: dict) -> tuple[County | None, dict]:
    place: dict = {
        "dest_kind": data.dest_kind,
        "township": None,
        "park_id": None,
        "base_id": None,
        "enterprise_name": None,
        "address": None,
    }
    county = None
    if data.dest_kind not in DEST_KINDS:
        errors["dest_kind"] = _("请选择去乡镇、园区（基地）还是企业。")
        return None, place
    if data.dest_kind in ("park", "base"):
        model = Park if data.dest_kind == "park" else IncubationBase
        found = db.session.scalar(sa.select(model).where(model.slug == data.place_slug)) if data.place_slug else None
        if found is None:
            errors["place_slug"] = _("没有找到这个园区或基地，请从名录里选择。")
            return None, place
        place[f"{data.dest_kind}_id"] = found.id
        place["address"] = found.address
        place["place_key"] = f"{data.dest_kind}:{found.slug}"
        return db.session.get(County, found.county_id), place
    county = db.session.scalar(sa.select(County).where(sa.or_(County.code == data.county, County.name == data.county)))
    if county is None:
        errors["county"] = _("请选择县区。")
        return None, place
    if data.dest_kind == "township":
        township = data.township.strip()
        if not 2 <= len(township) <= 30 or not township.endswith(("乡", "镇", "街道", "办事处")):
            errors["township"] = _("请填写乡镇或街道的名称，例如“石佛寺镇”。")
        place["township"] = township
        place["place_key"] = f"township:{county.code}:{township}"
    else:
        name, address = data.enterprise_name.strip(), data.address.strip()
        if len(name) < 2:
            errors["enterprise_name"] = _("请填写企业名称。")
        if len(address) < 4:
            errors["address"] = _("请填写企业地址，方便导师找到。")
        place.update(enterprise_name=name, address=address, place_key=f"enterprise:{county.code}:{name}")
    return county, place


def check_times(data: VisitInput, errors: dict) -> None:
    if data.day is None:
        errors["day"] = _("请选择日期。")
    if data.start is None:
        errors["start"] = _("请填写开始时间。")
    if data.end is None:
        errors["end"] = _("请填写结束时间。")
    if errors.keys() & {"day", "start", "end"}:
        return
    if datetime.combine(data.day, data.start) <= local_now():
        errors["day"] = _("走访时间已经过去了，请选择以后的时间。")
    if data.end <= data.start:
        errors["end"] = _("结束时间要晚于开始时间。")
    elif _minutes(data.end) - _minutes(data.start) > MAX_HOURS * 60:
        errors["end"] = _("一次走访最长 %(n)s 小时，不能跨天。", n=MAX_HOURS)
    if data.day > local_now().date() + timedelta(days=366):
        errors["day"] = _("最多只能预约一年以内的走访。")


def validate(data: VisitInput) -> tuple[County, dict]:
    errors: dict[str, str] = {}
    county, place = _resolve_place(data, errors)
    check_times(data, errors)
    topics = [t for t in data.topics if t in vocab.EXPERTISE]
    if not topics:
        errors["topics"] = _("请至少选择一个辅导主题。")
    if data.capacity is None or data.capacity < 1:
        errors["capacity"] = _("可报名人数至少为 1。")
    elif data.capacity > MAX_CAPACITY:
        errors["capacity"] = _("可报名人数最多 %(n)s 人；人数更多请分场次预约。", n=MAX_CAPACITY)
    if errors:
        raise VisitErrors(errors)
    place["topics"] = topics
    return county, place


def lock_mentor(mentor: Mentor) -> None:
    """Serialise bookings of one mentor: a row lock on PostgreSQL; SQLite writers already queue (BEGIN IMMEDIATE)."""
    db.session.execute(sa.select(Mentor.id).where(Mentor.id == mentor.id).with_for_update())


def lock_place_day(place_key: str, day: date) -> None:
    exists = sa.select(VisitPlaceDay).where(VisitPlaceDay.place_key == place_key, VisitPlaceDay.day == day)
    if db.session.scalar(exists) is None:
        try:
            with db.session.begin_nested():
                db.session.add(VisitPlaceDay(place_key=place_key, day=day))
        except sa.exc.IntegrityError:
            pass
    db.session.execute(exists.with_for_update())


def clashes(
    mentor: Mentor, county: County, place_key: str, day: date, start: time, end: time, exclude_id: int | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    gap = int(current_app.config.get("VISIT_TRAVEL_GAP_MINUTES", 120))
    same_day = db.session.scalars(
        sa.select(Visit).where(
            Visit.mentor_id == mentor.id, Visit.day == day, Visit.status.in_(ACTIVE), Visit.id != (exclude_id or 0)
        )
    ).all()
    s, e = _minutes(start), _minutes(end)
    for other in same_day:
        os_, oe = _minutes(other.start_time), _minutes(other.end_time)
        if s < oe and os_ < e:
            errors["start"] = _("与您已有的%(visit)s时间重叠。", visit=describe(other))
            break
        if other.county_id != county.id and (s < oe + gap and os_ < e + gap):
            errors["start"] = _(
                "与您已有的%(visit)s在不同县区，两次走访之间至少要留 %(h)s 小时路上时间。",
                visit=describe(other),
                h=format(gap / 60, "g"),
            )
            break
    cap = int(current_app.config.get("VISIT_PLACE_DAILY_CAP", 2))
    at_place = db.session.scalars(
        sa.select(Visit).where(
            Visit.place_key == place_key, Visit.day == day, Visit.status.in_(ACTIVE), Visit.id != (exclude_id or 0)
        )
    ).all()
    if len(at_place) >= cap:
        errors["day"] = _(
            "这个地点当天已经安排了 %(n)s 场走访（%(visits)s），请换一天。",
            n=len(at_place),
            visits="；".join(describe(v) for v in at_place),
        )
    return errors


def ends_after(visit: Visit, now: datetime) -> bool:
    """Whether the visit is still going on (or to come) at `now` (local time)."""
    return datetime.combine(visit.day, visit.end_time) > now
