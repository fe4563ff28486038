"""Sample projects for a development server (`flask ventures demo`, called by `make run`): published projects
marked `demo` (示例数据 on every page showing them), one shortlist for a 路演 and one recommendation to the fund, so
that a newcomer sees the feature working. The people and numbers are made up; production never runs this."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.catalog.models import County, Project
from portal.db import utcnow
from portal.extensions import db
from portal.ventures import queries
from portal.ventures.models import Recommendation, Shortlist, ShortlistEntry, Venture, VentureSeek
from portal.ventures.operations import today
from portal.ventures.states import RECOMMENDATION, VENTURE

DEMO_APPLICANT = "13800000001"  # `flask users demo`'s applicant, when it exists
SAMPLES = [
    ("411324", "示例：玉雕文创小件加工坊", "crafts", "producing", 8, 20, ("investment", "buyer"), "80",
     "用南阳独山玉边角料加工手串、挂件等文创小件，已与两家景区商店合作，想扩大产能、找线上销路。"),
    ("411323", "示例：香菇深加工与冷链配送", "food", "expanding", 15, 40, ("investment", "loan", "supplier"), "300",
     "西峡香菇烘干、切片和即食产品加工，计划新建一座冷库，寻找投资和包装材料供应商。"),
    ("411330", "示例：桐柏山区民宿集群", "tourism", "preparing", 3, 25, ("investment", "base"), "150",
     "把村里闲置农房改成五家民宿，配套农事体验，正在办理手续，想找投资和入驻乡村旅游示范园区。"),
    ("411381", "示例：月季苗木电商直播", "ecommerce", "producing", 6, 12, ("buyer", "loan"), "",
     "邓州月季苗木通过直播和电商平台销售，想对接大宗采购客户，申请创业担保贷款扩大苗圃。"),
    ("zone-gaoxin", "示例：智能装备零部件配套车间", "manufacturing", "producing", 12, 30, ("investment", "buyer"),
     "200",
     "为园区装备制造企业加工配套零部件，想引进投资购置数控设备，寻找更多整机厂客户。"),
]  # fmt: skip


def make_demo() -> int:
    if db.session.scalar(sa.select(sa.exists().where(Venture.demo))):
        return 0
    owner = db.session.scalar(sa.select(User).where(User.phone == DEMO_APPLICANT))
    counties = {c.code: c for c in db.session.scalars(sa.select(County))}
    made: list[Venture] = []
    for code, name, industry, stage, jobs, planned, seeks, amount, makes in SAMPLES:
        county = counties.get(code)
        if county is None:
            continue
        venture = Venture(
            owner_id=owner.id if owner else None, name=name, makes=makes, county_id=county.id, industry=industry,
            stage=stage, jobs_created=jobs, jobs_planned=planned, investment_wan=Decimal(amount) if amount else None,
            contact_pref="phone" if len(made) % 2 else "portal", contact_name="示例联系人",
            contact_phone="13800000001", unit_id=queries.unit_for_county(county).id, status=VENTURE.initial,
            demo=True, submitted_at=utcnow() - timedelta(days=10),
            # a sample demonstration project of the same county, when there is one: its catalog page links here
            catalog_project_id=db.session.scalar(
                sa.select(Project.id).where(Project.county_id == county.id, Project.sample).order_by(Project.slug)
                .limit(1)
            ),
            seek_rows=[VentureSeek(code=s) for s in seeks],
        )  # fmt: skip
        db.session.add(venture)
        db.session.flush()
        VENTURE.apply(venture, "submit", None)
        VENTURE.apply(venture, "approve", None, values={"published_at": utcnow() - timedelta(days=len(made) + 1)})
        made.append(venture)
    if not made:
        return 0
    unit_id = made[0].unit_id
    shortlist = Shortlist(unit_id=unit_id, name="示例：返乡创业项目路演（第一场）", purpose="roadshow",
                          event_label="示例：南阳市返乡创业项目路演", event_on=today() + timedelta(days=21),
                          note="示例数据（flask ventures demo）")  # fmt: skip
    shortlist.entries = [ShortlistEntry(venture_id=v.id) for v in made[:3]]
    db.session.add(shortlist)
    db.session.add(
        Recommendation(
            venture_id=made[0].id,
            fund="henan-returnee-fund",
            unit_id=unit_id,
            recommended_on=today() - timedelta(days=3),
            note="示例数据（flask ventures demo）",
            status=RECOMMENDATION.initial,
        )
    )
    return len(made)
