"""Service cards: a query that names a service people can apply for online shows that service above the results.

A small table, kept simple on purpose (a later issue makes best bets editable content): the first service one of
whose trigger words is in the query wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class ServiceCard:
    app_type: str  # the form at /apply/<app_type>
    title: str
    text: str
    triggers: tuple[str, ...]


CARDS = (
    ServiceCard(
        "loan",
        _l("在线申请创业担保贷款"),
        _l("返乡创业的个人、合伙和小微企业都可以申请，财政按政策贴息。在网上填表、传材料，县区办理单位审核。"),
        ("创业担保贷款", "担保贷款", "贷款", "贴息"),
    ),
    ServiceCard(
        "training",
        _l("在线报名创业培训"),
        _l("技能培训、创业实操、项目路演等，按您所在县区安排。"),
        ("创业培训", "培训"),
    ),
    ServiceCard(
        "mentoring",
        _l("在线申请创业辅导"),
        _l("说说遇到的问题，工作人员为您安排创业导师。"),
        ("创业辅导", "导师辅导", "辅导"),
    ),
)


def card_for(query: str | None) -> ServiceCard | None:
    words = "".join((query or "").split())
    return next((card for card in CARDS if any(t in words for t in card.triggers)), None)
