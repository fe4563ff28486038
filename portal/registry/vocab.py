"""The register's fixed lists: stable codes (stored and in the spreadsheet template's notes) and their labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

FORMS = {
    "individual": _l("个体工商户"),
    "cooperative": _l("农民专业合作社"),
    "enterprise": _l("企业"),
    "other": _l("其他"),
}

INDUSTRIES = {
    "agriculture": _l("种植养殖（现代农业）"),
    "processing": _l("农产品加工"),
    "manufacturing": _l("制造业"),
    "trade": _l("商贸与电子商务"),
    "services": _l("生活服务"),
    "tourism": _l("乡村旅游与文化"),
    "other": _l("其他"),
}

RETURNED_FROM = {
    "province_out": _l("从外省返乡"),
    "henan_other": _l("从省内其他市返乡"),
    "nanyang": _l("在南阳市内返乡"),
}

SOURCES = {"self": _l("本人登记"), "proxy": _l("工作人员帮办"), "import": _l("县区汇总导入")}
