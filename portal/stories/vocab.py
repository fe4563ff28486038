"""The stories' fixed lists. Industries are the catalog's (`catalog.vocab.INDUSTRIES`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CONSENT_METHODS = {
    "signed_form": _l("签字的书面同意书"),
    "sms": _l("短信回复同意"),
    "in_person": _l("当面口头同意（有工作人员记录）"),
}

# The support a story may link to: the catalog's and the policy guides' entries, by slug.
SUPPORT_KINDS = {
    "policies": _l("用到的政策"),
    "bases": _l("入驻的孵化基地"),
    "parks": _l("所在的示范园区"),
    "mentors": _l("辅导过的创业导师"),
}
