"""Sample stories for a development server (`flask stories demo`, called by `make run`): published stories marked
`demo` (示例数据 on every page showing them), each with a sample consent record and a drawn (not photographed)
picture, so that a newcomer sees the home page's section and the county filter working. The people are made up."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from portal.catalog.models import County, IncubationBase
from portal.db import utcnow
from portal.extensions import db
from portal.policies.models import Policy
from portal.stories import photos
from portal.stories.models import Story, StoryConsent, StoryPhoto, StorySupport
from portal.stories.states import STORY
from portal.ventures.operations import today

SAMPLES = [
    ("411324", "crafts", "示例：从深圳工厂回到石佛寺，十年学艺开起玉雕工作室",
     "## 回乡的决定\n\n示例人物老陈在深圳的电子厂干了八年，2019年回到镇平县石佛寺镇，"
     "跟着师傅重新学玉雕。\n\n## 一路走来\n\n他参加了县人社局组织的创业培训，入驻了当地的孵化基地，"
     "申请到创业担保贷款购置了雕刻设备。现在工作室带动了六位乡亲就业。\n\n"
     "*本文为演示用的示例数据，人物和情节均为虚构。*", (200, 120, 60)),
    ("411323", "food", "示例：西峡香菇姐妹把小作坊做成了加工厂",
     "## 从一间烘干房开始\n\n示例人物小李和姐姐从浙江返乡后，租下一间烘干房加工香菇。\n\n"
     "## 抱团发展\n\n在创业导师的辅导下，她们注册了合作社，带动周边三十多户种植户，"
     "产品通过电商卖到全国。\n\n*本文为演示用的示例数据，人物和情节均为虚构。*", (120, 90, 50)),
    ("411381", "ecommerce", "示例：邓州小伙直播卖月季，一年带动十二人就业",
     "## 把花田搬进直播间\n\n示例人物小王在杭州做过电商运营，返乡后帮家里的月季苗圃开了网店。\n\n"
     "## 政策帮了大忙\n\n他参加了电商创业培训，享受了培训补贴，现在正准备申请扩大苗圃的贷款。\n\n"
     "*本文为演示用的示例数据，人物和情节均为虚构。*", (200, 60, 90)),
]  # fmt: skip


def _picture(colour: tuple[int, int, int], text: str) -> bytes:
    """A drawn placeholder picture (no real photo of anyone), made into a story photo like an upload."""
    image = Image.new("RGB", (1200, 800), colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, 1200, 80):
        draw.ellipse((i, 500 - i // 4, i + 160, 660 - i // 4), fill=tuple(min(255, c + 50) for c in colour))
    draw.text((40, 40), text, fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_demo() -> int:
    if db.session.scalar(sa.select(sa.exists().where(Story.demo))):
        return 0
    counties = {c.code: c for c in db.session.scalars(sa.select(County))}
    policy = db.session.scalar(sa.select(Policy.slug).where(Policy.visible.is_(True)).order_by(Policy.slug).limit(1))
    made = 0
    for code, industry, title, body, colour in SAMPLES:
        county = counties.get(code)
        if county is None:
            continue
        base = db.session.scalar(
            sa.select(IncubationBase.slug).where(IncubationBase.county_id == county.id).order_by(IncubationBase.slug)
        )
        story = Story(title=title, body=body, county_id=county.id, industry=industry, status=STORY.initial, demo=True)
        story.supports = [StorySupport(kind=k, key=v) for k, v in (("policies", policy), ("bases", base)) if v]
        data, thumb, width, height = photos.process(_picture(colour, "SAMPLE"))
        story.photos = [StoryPhoto(alt="示例图片：用色块画的示意图，不是真实照片", caption="示例图片（绘制的示意图）",
                                   data=data, thumb=thumb, width=width, height=height)]  # fmt: skip
        scope = "示例：同意公开化名、县区、行业和示意图片（演示数据，人物虚构）"
        story.consents = [StoryConsent(person_name="示例人物", method="signed_form", consented_on=today(), scope=scope)]
        db.session.add(story)
        db.session.flush()
        STORY.apply(story, "submit", None)
        STORY.apply(story, "publish", None, values={"published_at": utcnow() - timedelta(days=made)})
        made += 1
    return made
