"""The fixed lists of project showcases (项目展示): stable codes stored in the database, translatable labels.
Industries are the catalog's (`catalog.vocab.INDUSTRIES`), so a project and a demonstration project share them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAGES = {
    "idea": _l("有想法，还没开始"),
    "preparing": _l("正在筹备"),
    "producing": _l("已投产经营"),
    "expanding": _l("准备扩大规模"),
}

SEEKS = {
    "investment": _l("寻找投资"),
    "loan": _l("需要贷款"),
    "buyer": _l("寻找买家、销路"),
    "supplier": _l("寻找供应商"),
    "base": _l("想入驻孵化基地或园区"),
}

CONTACT = {
    "portal": _l("由县区人社局转达（不公开我的电话）"),
    "phone": _l("公开部分手机号（如 138****1234），完整号码可向县区人社局询问"),
}

# A shortlist is drawn up for one of these (the events area will publish the events themselves).
PURPOSES = {
    "roadshow": _l("项目路演"),
    "matchmaking": _l("投资对接会"),
    "sales": _l("销售对接"),
    "other": _l("其他活动"),
}

# Funds a unit recommends projects to. The 2021 work plan, item 10 (宛农工创〔2021〕1号): 推荐一批优秀项目加入河南省
# 农民工返乡创业投资基金项目库 (财政局, 人社局 and 人行南阳中心支行 responsible).
FUNDS = {
    "henan-returnee-fund": _l("河南省农民工返乡创业投资基金（项目库）"),
}
# The departments the work plan makes responsible for item 10: their staff recommend projects to the fund.
RECOMMENDING_DEPTS = ("hrss", "finance", "pbc")
