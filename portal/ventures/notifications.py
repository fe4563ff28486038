"""Telling the entrepreneur about their project: the unit's review, a recommendation to the fund.
Texts: templates/ventures/notify/."""

from __future__ import annotations

from portal.notify import messages
from portal.ventures.models import Recommendation, Venture


def reviewed(venture: Venture, action: str) -> None:
    """`approve`, `return` or `unpublish`: the owner's inbox and SMS (demo projects have no owner)."""
    owner = venture.owner
    if owner is None:
        return
    messages.tell(
        f"ventures/notify/{action}.txt",
        user_id=owner.id,
        phone=owner.phone,
        purpose="venture",
        link=f"/ventures/{venture.id}",
        name=venture.name,
        reason=venture.return_reason or "",
    )


def recommended(venture: Venture, row: Recommendation) -> None:
    owner = venture.owner
    if owner is None:
        return
    messages.tell(
        "ventures/notify/recommended.txt",
        user_id=owner.id,
        phone=owner.phone,
        purpose="venture",
        link=f"/ventures/{venture.id}",
        name=venture.name,
        unit=row.unit.name if row.unit else "",
    )
