"""The lifecycle of a registration. `Lifecycle.apply` is the only writer of its status (it audits each move and
sends the `registration-changed` signal, to which counters may connect)."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.registry.models import Registration

_signals = Namespace()

AWAITING_CONSENT, SUBMITTED, NEEDS_PROOF = "awaiting_consent", "submitted", "needs_proof"
CONFIRMED, REJECTED, WITHDRAWN = "confirmed", "rejected", "withdrawn"
OPEN = (SUBMITTED, NEEDS_PROOF)  # waiting for the unit or for the person
LIVE = (AWAITING_CONSENT, SUBMITTED, NEEDS_PROOF, CONFIRMED)  # holds its USCC against duplicates

REGISTRATION = Lifecycle(
    name="registration",
    model=Registration,
    initial=SUBMITTED,  # AWAITING_CONSENT for 帮办 (see `CONSENT_FIRST`), CONFIRMED for an imported return
    moves={
        (AWAITING_CONSENT, "consent"): SUBMITTED,
        (SUBMITTED, "confirm"): CONFIRMED,
        (SUBMITTED, "ask_proof"): NEEDS_PROOF,
        (NEEDS_PROOF, "resubmit"): SUBMITTED,
        (SUBMITTED, "reject"): REJECTED,
        (NEEDS_PROOF, "reject"): REJECTED,
        (SUBMITTED, "withdraw"): WITHDRAWN,
        (NEEDS_PROOF, "withdraw"): WITHDRAWN,
    },
    labels={
        AWAITING_CONSENT: _l("等待本人短信确认"),
        SUBMITTED: _l("待县区人社局确认"),
        NEEDS_PROOF: _l("需要补充证明"),
        CONFIRMED: _l("已确认"),
        REJECTED: _l("未予确认"),
        WITHDRAWN: _l("已撤回"),
    },
    signal=_signals.signal("registration-changed"),
)
