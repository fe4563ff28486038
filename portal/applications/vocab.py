"""Choices offered on the application forms: stable codes and translatable labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

COURSE_TYPES = {
    "skills": _l("技能培训"),
    "practice": _l("创业实操"),
    "roadshow": _l("项目路演"),
    "sales": _l("销售对接"),
    "tech_envoy": _l("科技特派员技术指导"),
}
EDUCATION = {
    "primary": _l("小学及以下"),
    "junior": _l("初中"),
    "senior": _l("高中、中专或技校"),
    "college": _l("大专"),
    "bachelor": _l("本科及以上"),
}
MENTORING_TOPICS = {
    "agriculture": _l("农业种养"),
    "technology": _l("科技与技术"),
    "tax": _l("税务"),
    "finance": _l("金融与贷款"),
    "ecommerce": _l("电子商务"),
    "planning": _l("项目策划"),
    "law": _l("法律"),
    "other": _l("其他"),
}
STAGES = {
    "idea": _l("还在想，有个点子"),
    "preparing": _l("正在筹备"),
    "young": _l("已经开业，不满一年"),
    "running": _l("已经经营一年以上"),
}
WAYS = {"visit": _l("上门指导"), "phone": _l("电话或视频"), "centre": _l("到服务中心面谈")}
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
ATTACHMENT_KINDS = {
    "business_plan": _l("创业计划书"),
    "licence": _l("营业执照"),
    "id_copy": _l("身份证正反面"),
    "collateral": _l("抵质押物证明"),
    "supplement": _l("补正材料"),
}
CO_APPLICANT_SLOTS = 4
