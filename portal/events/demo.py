"""Sample events for a development server (`flask events demo`, called by `make run`): a newcomer sees the
calendar, registration and a past event's outcomes working. Each one is marked `sample` (示例数据 on every page
showing it); production never runs this."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.catalog.models import County, IncubationBase, Park, Unit
from portal.db import utcnow
from portal.events.models import Event
from portal.events.queries import local_now, to_utc
from portal.events.states import EVENT
from portal.extensions import db

NOTE = "（示例数据：演示用，不是真实安排。）"


def _unit(code: str) -> Unit | None:
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def make_demo_events() -> int:
    """Three upcoming published events and one past one with its outcomes; none when sample events exist."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.sample)):
        return 0
    today = local_now().date()
    base = db.session.scalar(sa.select(IncubationBase).order_by(IncubationBase.slug))
    park = db.session.scalar(sa.select(Park).order_by(Park.slug))
    wolong = db.session.scalar(sa.select(County).order_by(County.sort, County.code))
    office, city_hrss = _unit("city-office"), _unit("city-hrss")
    if not (base and park and wolong and office and city_hrss):
        return 0
    specs = [
        dict(kind="matchmaking", title="返乡创业项目投资对接会（示例）", unit=office, days=9, hours=(9, 12),
             capacity=60, audience="invited", place=("base", base),
             description="邀请投资机构、银行和返乡创业项目面对面交流，每个项目路演 8 分钟。" + NOTE),
        dict(kind="training", title="电商直播创业培训班（示例）", unit=city_hrss, days=14, hours=(9, 17),
             capacity=40, audience="anyone", place=("park", park),
             description="讲直播选品、短视频拍摄和网店运营，结业可登记为创业培训。" + NOTE),
        dict(kind="salon", title="返乡创业沙龙：抱团取暖（示例）", unit=city_hrss, days=21, hours=(14, 17),
             capacity=30, audience="registered", place=("online", None),
             description="已登记的返乡创业者交流经营难题，创业导师在线答疑。" + NOTE),
        dict(kind="sales", title="农特产品销售对接会（示例）", unit=office, days=-20, hours=(9, 12),
             capacity=80, audience="anyone", place=("base", base),
             description="返乡创业企业与商超、电商平台采购对接。" + NOTE),
    ]  # fmt: skip
    for spec in specs:
        day = today + timedelta(days=spec["days"])
        kind, place = spec["place"]
        start, end = to_utc(day, time(spec["hours"][0])), to_utc(day, time(spec["hours"][1]))
        event = Event(
            kind=spec["kind"], title=spec["title"], description=spec["description"], starts_at=start, ends_at=end,
            deadline_at=start - timedelta(hours=12), place_kind=kind,
            base_id=place.id if kind == "base" else None, park_id=place.id if kind == "park" else None,
            address=place.address if place else None,
            online_url="https://meeting.example.cn/nanyang-salon" if kind == "online" else None,
            county_id=place.county_id if place else wolong.id, unit_id=spec["unit"].id, capacity=spec["capacity"],
            audience=spec["audience"], status=EVENT.initial, sample=True,
        )  # fmt: skip
        db.session.add(event)
        db.session.flush()
        EVENT.apply(event, "publish", None)
        if spec["days"] < 0:
            EVENT.apply(
                event, "finish", None,
                values={"attendance": 0, "deals": 12, "amount_wan": Decimal("860"), "outcomes_at": utcnow(),
                        "summary": "返乡创业企业与 9 家商超和电商平台现场洽谈，签订购销协议或意向 12 份。" + NOTE},
            )  # fmt: skip
    return len(specs)
