"""The life of a routing change: a draft is published by a second administrator, rejected, or withdrawn by its
author. `ROUTING_CHANGE.apply` is the only writer of `RoutingChange.status`."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.rules.models import RoutingChange

DRAFT, PUBLISHED, REJECTED, WITHDRAWN = "draft", "published", "rejected", "withdrawn"

_signals = Namespace()

ROUTING_CHANGE = Lifecycle(
    name="routing_change",
    model=RoutingChange,
    initial=DRAFT,
    moves={
        (DRAFT, "publish"): PUBLISHED,
        (DRAFT, "reject"): REJECTED,
        (DRAFT, "withdraw"): WITHDRAWN,
    },
    labels={DRAFT: _l("待审核"), PUBLISHED: _l("已发布"), REJECTED: _l("未通过"), WITHDRAWN: _l("已撤回")},
    signal=_signals.signal("routing-change-changed"),
)
