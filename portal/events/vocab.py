"""The words of events: kinds, places, audiences."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "roadshow": _l("项目路演"),
    "matchmaking": _l("投资对接会"),
    "salon": _l("返乡创业沙龙"),
    "forum": _l("专业发展论坛"),
    "showcase": _l("成果展示月活动"),
    "training": _l("创业培训班"),
    "sales": _l("销售对接会"),
}

PLACES = {
    "catalog": _l("孵化基地或园区（从名录选）"),
    "address": _l("其他地址"),
    "online": _l("线上活动"),
}

AUDIENCES = {
    "anyone": _l("有账号的人都可以报名"),
    "registered": _l("已确认返乡创业登记的创业者"),
    "invited": _l("仅限受邀项目"),
}


def label(table: dict, code: str | None) -> str:
    return str(table.get(code, code or ""))
