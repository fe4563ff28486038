"""The lifecycles of a presented project and of a recommendation to the fund. `Lifecycle.apply` is the only writer
of their status (it audits each move and sends the signal)."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.ventures.models import Recommendation, Venture

_signals = Namespace()

DRAFT, SUBMITTED, PUBLISHED, RETURNED, WITHDRAWN = "draft", "submitted", "published", "returned", "withdrawn"
EDITABLE = (DRAFT, RETURNED)  # the owner changes the answers only before the unit approves

VENTURE = Lifecycle(
    name="venture",
    model=Venture,
    initial=DRAFT,
    moves={
        (DRAFT, "submit"): SUBMITTED,
        (RETURNED, "submit"): SUBMITTED,
        (SUBMITTED, "approve"): PUBLISHED,
        (SUBMITTED, "return"): RETURNED,
        (PUBLISHED, "unpublish"): RETURNED,  # the unit takes it down, with a reason
        (DRAFT, "withdraw"): WITHDRAWN,
        (SUBMITTED, "withdraw"): WITHDRAWN,
        (RETURNED, "withdraw"): WITHDRAWN,
        (PUBLISHED, "withdraw"): WITHDRAWN,
    },
    labels={
        DRAFT: _l("草稿"),
        SUBMITTED: _l("待县区人社局审核"),
        PUBLISHED: _l("已公开展示"),
        RETURNED: _l("已退回修改"),
        WITHDRAWN: _l("已撤回"),
    },
    signal=_signals.signal("venture-changed"),
)

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
OPEN_RECOMMENDATION = (PENDING, ACCEPTED)  # a project is not recommended to the same fund twice while one stands

RECOMMENDATION = Lifecycle(
    name="venture_recommendation",
    model=Recommendation,
    initial=PENDING,
    moves={
        (PENDING, "accept"): ACCEPTED,
        (PENDING, "decline"): DECLINED,
    },
    labels={
        PENDING: _l("已推荐，待基金答复"),
        ACCEPTED: _l("已入库"),
        DECLINED: _l("未入库"),
    },
    signal=_signals.signal("venture-recommendation-changed"),
)
