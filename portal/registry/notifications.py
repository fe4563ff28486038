"""Telling people about their registration: the unit's decision (to the owner's account), and the 帮办 consent
code (to the person's mobile). Texts: templates/registry/notify/."""

from __future__ import annotations

from portal.notify import messages
from portal.notify import services as notify
from portal.registry.models import Registration


def decided(registration: Registration, action: str) -> None:
    """`confirm`, `ask_proof` or `reject`: the owner (records without an account are the county's own)."""
    owner = registration.owner
    if owner is None:
        return
    messages.tell(
        f"registry/notify/{action}.txt",
        user_id=owner.id,
        phone=owner.phone,
        purpose="registry",
        link=f"/registry/{registration.id}",
        body=registration.decision_note,
        name=registration.business_name,
    )


def consent_code(registration: Registration, code: str) -> None:
    """The code goes by SMS only; `code:` purposes have their text removed once sent (notify.services)."""
    texts = messages.render("registry/notify/consent_code.txt", code=code)
    notify.sms(registration.person_phone, texts["sms"], purpose="code:registry")
