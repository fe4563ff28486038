"""Choices offered on the application forms: stable codes and translatable labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Shared with routing (its rules and `routing explain` name them): kept in the catalog's vocabulary.
from portal.catalog.vocab import APPLICANT_TYPES as APPLICANT_TYPES
from portal.catalog.vocab import COLLATERAL as COLLATERAL
from portal.catalog.vocab import COURSE_TYPES as COURSE_TYPES
from portal.catalog.vocab import EXPERTISE as MENTORING_TOPICS  # noqa: F401  (a mentoring topic is a mentor's expertise)

EDUCATION = {
    "primary": _l("小学及以下"),
    "junior": _l("初中"),
    "senior": _l("高中、中专或技校"),
    "college": _l("大专"),
    "bachelor": _l("本科及以上"),
}
STAGES = {
    "idea": _l("还在想，有个点子"),
    "preparing": _l("正在筹备"),
    "young": _l("已经开业，不满一年"),
    "running": _l("已经经营一年以上"),
}
WAYS = {"visit": _l("上门指导"), "phone": _l("电话或视频"), "centre": _l("到服务中心面谈")}
ATTACHMENT_KINDS = {
    "business_plan": _l("创业计划书"),
    "licence": _l("营业执照"),
    "id_copy": _l("身份证正反面"),
    "collateral": _l("抵质押物证明"),
    "supplement": _l("补正材料"),
    "bank_statement": _l("银行流水"),
}
CO_APPLICANT_SLOTS = 4
