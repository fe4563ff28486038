"""Demo registrations for the dashboard (`flask dashboard demo`, development only): a year of confirmed new
returning entrepreneurs across the counties, each marked `demo`. Deterministic for a given random generator."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from stdnum.cn import uscc as uscc_rules

from portal.catalog.models import County, Unit
from portal.extensions import db
from portal.registry import queries
from portal.registry.models import Registration
from portal.registry.states import REGISTRATION
from portal.registry.vocab import INDUSTRIES, RETURNED_FROM

# 登记管理部门 9 (市场监管) + 机构类别: 1 企业, 2 个体工商户, 3 农民专业合作社
KIND_DIGIT = {"enterprise": "1", "individual": "2", "cooperative": "3", "other": "9"}
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100's characters (no I, O, Z, S, V)
# More businesses open in spring, after the Spring Festival, when most workers come home.
MONTH_WEIGHTS = (6, 14, 16, 11, 8, 7, 6, 6, 7, 7, 6, 6)
FORM_WEIGHTS = {"individual": 60, "cooperative": 12, "enterprise": 25, "other": 3}
NAMES = ("玉雕工作室", "农家乐", "种植专业合作社", "养殖场", "电商服务部", "农产品加工厂", "手工编织坊", "民宿")


def demo_uscc(rng: random.Random, form: str, county: County) -> str:
    """A USCC with a valid GB 32100 check digit: 17 characters, then stdnum's check digit."""
    region = county.code if county.code.isdigit() and len(county.code) == 6 else "411300"
    body = "9" + KIND_DIGIT[form] + region + "".join(rng.choice(ORG_ALPHABET) for _ in range(9))
    return body + uscc_rules.calc_check_digit(body)


def _day(rng: random.Random, year: int, last: date) -> date:
    month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    day = start + timedelta(days=rng.randrange((end - start).days + 1))
    return min(day, last)


def make_demo(
    rng: random.Random,
    year: int,
    counties: Sequence[County],
    hrss_units_by_county: Mapping[int, Unit],
    users: Sequence,
    count: int | None = None,
) -> int:
    """Insert confirmed demo registrations dated in `year` (up to today), spread over the counties and months.

    `hrss_units_by_county`: county id -> the 人社局 that confirms (the city's is looked up for the others);
    `users`: accounts to own some of them (may be empty). Returns how many were added."""
    if not counties:
        return 0
    count = count if count is not None else rng.randint(300, 420)
    last = min(date(year, 12, 31), date.today())
    if last < date(year, 1, 1):
        return 0
    taken = set(db.session.scalars(sa.select(Registration.uscc).where(Registration.uscc.is_not(None))))
    county_weights = [3 if c.kind != "zone" else 1 for c in counties]
    made = 0
    for _ in range(count):
        county = rng.choices(list(counties), weights=county_weights)[0]
        form = rng.choices(list(FORM_WEIGHTS), weights=list(FORM_WEIGHTS.values()))[0]
        code = demo_uscc(rng, form, county)
        while code in taken:
            code = demo_uscc(rng, form, county)
        taken.add(code)
        registered_on = _day(rng, year, last)
        unit = hrss_units_by_county.get(county.id) or queries.unit_for_county(county)
        owner = rng.choice(users) if users and rng.random() < 0.3 else None
        registration = Registration(
            owner_id=owner.id if owner else None,
            source=rng.choice(("self", "self", "proxy", "import")),
            business_name=f"{county.name}{rng.choice(NAMES)}{made + 1}号（演示）",
            form=form,
            uscc=code,
            registered_on=registered_on,
            county_id=county.id,
            township="城关镇",
            industry=rng.choice(list(INDUSTRIES)),
            jobs=rng.choice((0, 1, 2, 3, 3, 5, 8, 12, 20, 40)),
            returned_from=rng.choices(list(RETURNED_FROM), weights=(6, 2, 2))[0],
            returned_on=(registered_on - timedelta(days=rng.randint(30, 900))).replace(day=1),
            unit_id=unit.id,
            status=REGISTRATION.initial,
            demo=True,
        )
        db.session.add(registration)
        db.session.flush()
        confirmed = datetime.combine(registered_on + timedelta(days=rng.randint(3, 40)), time(10), tzinfo=UTC)
        confirmed = min(confirmed, datetime.now(UTC))
        REGISTRATION.apply(registration, "confirm", None, values={"confirmed_at": confirmed})
        made += 1
    return made
