"""The lifecycles of 创业导师乡村行: a visit, a sign-up and an offered seat. Each table lists the allowed moves;
`Lifecycle.apply` is the only writer of their status columns (it audits each move and sends the signal)."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.core.seats import Seats, seat_lifecycle
from portal.visits.models import Visit, VisitOffer, VisitSignup

_signals = Namespace()

PENDING, CONFIRMED, DECLINED, CANCELLED, COMPLETED = "pending", "confirmed", "declined", "cancelled", "completed"
ACTIVE = (PENDING, CONFIRMED)

VISIT = Lifecycle(
    name="visit",
    model=Visit,
    initial=PENDING,
    moves={
        (PENDING, "confirm"): CONFIRMED,
        (PENDING, "decline"): DECLINED,
        (PENDING, "cancel"): CANCELLED,
        (CONFIRMED, "cancel"): CANCELLED,
        (CONFIRMED, "record"): COMPLETED,
    },
    labels={
        PENDING: _l("待确认"),
        CONFIRMED: _l("已发布"),
        DECLINED: _l("未获同意"),
        CANCELLED: _l("已取消"),
        COMPLETED: _l("已完成"),
    },
    signal=_signals.signal("visit-changed"),
)

SEATED, WAITING, WITHDRAWN = "confirmed", "waiting", "cancelled"

SIGNUP = seat_lifecycle(
    "visit_signup", VisitSignup, SEATED, WAITING, WITHDRAWN, _signals.signal("visit-signup-changed")
)

OFFERED, ACCEPTED, REFUSED = "offered", "accepted", "declined"

OFFER = Lifecycle(
    name="visit_offer",
    model=VisitOffer,
    initial=OFFERED,
    moves={(OFFERED, "accept"): ACCEPTED, (OFFERED, "decline"): REFUSED},
    labels={OFFERED: _l("待答复"), ACCEPTED: _l("已接受"), REFUSED: _l("已谢绝")},
    signal=_signals.signal("visit-offer-changed"),
)

# Seats and the waiting list of a visit: the shared mechanism (core.seats), also used by events.
SEATS = Seats(
    parent=Visit,
    lifecycle=SIGNUP,
    parent_key="visit_id",
    seated=SEATED,
    waiting=WAITING,
    withdrawn=WITHDRAWN,
    audit_action="visit.signup",
    audit_type="visit",
)
