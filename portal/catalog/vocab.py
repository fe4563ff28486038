"""Controlled vocabularies of the catalog: stable codes and their translatable labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

# "创业孵化基地" is also the heading of the list (plural in English): the type of one base has its own context.
BASE_TYPES = {
    "incubator": lazy_pgettext("base type", "创业孵化基地"),
    "smb": _l("小型微型企业创业创新基地"),
    "star": _l("星创天地"),
    "maker": _l("众创空间"),
}

LEVELS = {
    "national": _l("国家级"),
    "provincial": _l("省级"),
    "city": _l("市级"),
    "county": _l("县级"),
}

INDUSTRIES = {
    "agriculture": _l("现代农业"),
    "food": _l("食品加工"),
    "textile": _l("纺织服装"),
    "manufacturing": _l("装备制造"),
    "materials": _l("新材料"),
    "energy": _l("新能源"),
    "ecommerce": _l("电子商务"),
    "tourism": _l("文化旅游"),
    "crafts": _l("玉雕与文创"),
    "services": _l("生活服务"),
    "medicine": _l("中医药"),
}

EXPERTISE = {
    "agriculture": _l("农业种养"),
    "technology": _l("科技与技术"),
    "tax": _l("税务"),
    "finance": _l("金融与贷款"),
    "ecommerce": _l("电子商务"),
    "planning": _l("项目策划"),
    "law": _l("法律"),
    "marketing": _l("市场营销"),
    "management": _l("经营管理"),
    "other": _l("其他"),
}

COUNTY_KINDS = {
    "district": _l("市辖区"),
    "county": _l("县"),
    "city": _l("县级市"),
    "zone": _l("功能区"),
}

UNIT_LEVELS = {"city": _l("市级"), "county": _l("县级")}

POLICY_CATEGORIES = {
    "loan": _l("创业担保贷款"),
    "training": _l("创业培训"),
    "mentoring": _l("创业辅导"),
    "subsidy": _l("补贴奖补"),
    "carrier": _l("园区与孵化载体"),
    "general": _l("综合政策"),
}

APPLICATION_TYPES = {
    "training": _l("创业培训"),
    "mentoring": _l("创业辅导"),
    "loan": _l("创业担保贷款"),
}

# What a best bet's buttons lead to (搜索直达): an online application, the business register, the progress lookup,
# or only the guide it names.
ANSWER_SERVICES = {
    **APPLICATION_TYPES,
    "registry": _l("返乡创业登记"),
    "progress": _l("办件进度查询"),
    "guide": _l("政策指南"),
}

SEARCH_TERM_ROLES = {
    "synonym": _l("同义词、口语词"),
    "filler": _l("问句虚词（搜索时去掉）"),
}

# The kinds of page search finds (a synonym group may prefer one: 导师 → the mentors' pages).
SEARCH_KINDS = {
    "policy": _l("政策指南"),
    "base": _l("孵化基地"),
    "park": _l("示范园区"),
    "project": _l("示范项目"),
    "mentor": _l("创业导师"),
    "story": _l("返乡创业故事"),
    "event": _l("活动"),
}

DEPTS = {
    "office": _l("领导小组办公室"),
    "hrss": _l("人力资源和社会保障"),
    "ndrc": _l("发展和改革"),
    "agri": _l("农业农村"),
    "commerce": _l("商务"),
    "sci": _l("科技"),
    "miit": _l("工业和信息化"),
    "forestry": _l("林业"),
    "data": _l("政务大数据"),
    "land": _l("自然资源"),
    "tax": _l("税务"),
    "finance": _l("财政"),
    "pbc": _l("人民银行"),
    "culture": _l("文化广电和旅游"),
}


# What an application is about, as routing rules name it (the application forms offer the same choices).
COURSE_TYPES = {
    "skills": _l("技能培训"),
    "practice": _l("创业实操"),
    "roadshow": _l("项目路演"),
    "sales": _l("销售对接"),
    "tech_envoy": _l("科技特派员技术指导"),
}

APPLICANT_TYPES = {"individual": _l("个人创业"), "partnership": _l("合伙创业"), "smb": _l("小微企业")}

COLLATERAL = {
    "none": _l("无（申请免除反担保或由担保机构担保）"),
    "equipment": _l("设备抵押"),
    "forest": _l("林权抵押"),
    "land": _l("集体土地使用权抵押"),
    "franchise": _l("特种经营权质押"),
    "receivables": _l("应收账款质押"),
    "equity": _l("股权质押"),
}


def label(vocab: dict, code: str | None) -> str:
    if code is None:
        return ""
    value = vocab.get(code)
    return str(value) if value is not None else code
