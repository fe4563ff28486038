"""The life of a follow-up (整改): open until the unit's lead answers; then the rater says whether it resolved
the matter. `FOLLOW_UP.apply` is the only writer of `FollowUp.status`."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.ratings.models import FollowUp

OPEN, ANSWERED, RESOLVED, UNRESOLVED = "open", "answered", "resolved", "unresolved"

_signals = Namespace()

FOLLOW_UP = Lifecycle(
    name="rating_follow_up",
    model=FollowUp,
    initial=OPEN,
    moves={
        (OPEN, "answer"): ANSWERED,
        (ANSWERED, "confirm"): RESOLVED,
        (ANSWERED, "dispute"): UNRESOLVED,
    },
    labels={
        OPEN: _l("待整改答复"),
        ANSWERED: _l("已答复"),
        RESOLVED: _l("已解决"),
        UNRESOLVED: _l("评价人认为未解决"),
    },
    signal=_signals.signal("rating-follow-up-changed"),
)
