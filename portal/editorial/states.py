"""The lifecycle of a content change: draft → submitted → published | rejected, or withdrawn by its author.
`Lifecycle.apply` is the only writer of its status; it audits every move and sends `content-change-changed`."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.editorial.models import ContentChange

_signals = Namespace()

DRAFT, SUBMITTED, PUBLISHED, REJECTED, WITHDRAWN = "draft", "submitted", "published", "rejected", "withdrawn"
OPEN = (DRAFT, SUBMITTED)

CHANGE = Lifecycle(
    name="content_change",
    model=ContentChange,
    initial=DRAFT,
    moves={
        (DRAFT, "submit"): SUBMITTED,
        (SUBMITTED, "publish"): PUBLISHED,
        (SUBMITTED, "reject"): REJECTED,
        (SUBMITTED, "recall"): DRAFT,  # the author takes it back to edit it further
        (DRAFT, "withdraw"): WITHDRAWN,
        (SUBMITTED, "withdraw"): WITHDRAWN,
        (REJECTED, "withdraw"): WITHDRAWN,
    },
    labels={
        DRAFT: _l("草稿"),
        SUBMITTED: _l("待审核"),
        PUBLISHED: _l("已发布"),
        REJECTED: _l("已退回"),
        WITHDRAWN: _l("已撤销"),
    },
    signal=_signals.signal("content-change-changed"),
)
