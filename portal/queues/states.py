"""The life of a queue item: open until the application is decided, the unit gives its co-review opinion, or the
item is transferred to another unit. `ITEM.apply` is the only writer of `QueueItem.status`."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.queues.models import QueueItem

OPEN, CLOSED, TRANSFERRED = "open", "closed", "transferred"

_signals = Namespace()

ITEM = Lifecycle(
    name="queue_item",
    model=QueueItem,
    initial=OPEN,
    moves={
        (OPEN, "close"): CLOSED,  # the application was decided or withdrawn
        (OPEN, "opinion"): CLOSED,  # a co-reviewing unit gave its opinion
        (OPEN, "transfer"): TRANSFERRED,  # handed to another unit, which gets a new item
    },
    labels={OPEN: _l("办理中"), CLOSED: _l("已办结"), TRANSFERRED: _l("已转出")},
    signal=_signals.signal("queue-item-changed"),
)
