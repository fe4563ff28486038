"""The lifecycles of events: an event (draft → published → cancelled / finished) and a registration (a seat or a
place on the waiting list: the shared mechanism of `core.seats`). `Lifecycle.apply` is the only writer of their
status columns (it audits each move and sends the signal). A check-in is not a status: it is the registration's
`checked_in_at`, set once by a conditional update (`operations.check_in`), which sends `attendance_changed`."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.core.seats import Seats, seat_lifecycle
from portal.events.models import Event, EventRegistration

_signals = Namespace()

DRAFT, PUBLISHED, CANCELLED, FINISHED = "draft", "published", "cancelled", "finished"
PUBLIC = (PUBLISHED, CANCELLED, FINISHED)

EVENT = Lifecycle(
    name="event",
    model=Event,
    initial=DRAFT,
    moves={
        (DRAFT, "publish"): PUBLISHED,
        (DRAFT, "cancel"): CANCELLED,
        (PUBLISHED, "cancel"): CANCELLED,
        (PUBLISHED, "finish"): FINISHED,
    },
    labels={DRAFT: _l("草稿"), PUBLISHED: _l("已发布"), CANCELLED: _l("已取消"), FINISHED: _l("已结束")},
    signal=_signals.signal("event-changed"),
)

SEATED, WAITING, WITHDRAWN = "registered", "waiting", "cancelled"

REGISTRATION = seat_lifecycle(
    "event_registration", EventRegistration, SEATED, WAITING, WITHDRAWN, _signals.signal("event-registration-changed")
)

SEATS = Seats(
    parent=Event,
    lifecycle=REGISTRATION,
    parent_key="event_id",
    seated=SEATED,
    waiting=WAITING,
    withdrawn=WITHDRAWN,
    audit_action="event.register",
    audit_type="event",
)

# sent with (registration, checked_in: bool) when the organiser checks someone in at the door or takes it back;
# the dashboard counts a 培训班's attendance from it, in the same transaction
attendance_changed = _signals.signal("event-attendance-changed")
