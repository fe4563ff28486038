"""The routing decision for a set of facts, with the rules and units from the database (the queues' intake
turns an application into facts)."""

from __future__ import annotations

import sqlalchemy as sa

from portal.catalog.models import Unit
from portal.content.models import get_rules
from portal.extensions import db
from portal.routing.rules import Decision, Facts, decide


def unit_codes() -> set[str]:
    return set(db.session.scalars(sa.select(Unit.code)))


def decision_for(facts: Facts) -> Decision:
    return decide(facts, get_rules("routing"), unit_codes())


def units_by_code(codes: list[str]) -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}
