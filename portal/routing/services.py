"""Routing an application inside its submit transaction, and explaining the decision."""

from __future__ import annotations

import sqlalchemy as sa

from portal.applications.models import Application
from portal.catalog.models import County, Unit
from portal.content.models import get_rules
from portal.extensions import db
from portal.routing.rules import Decision, Facts, decide


def unit_codes() -> set[str]:
    return set(db.session.scalars(sa.select(Unit.code)))


def facts_of(application: Application) -> Facts:
    answers = application.answers or {}
    county = db.session.get(County, application.county_id) if application.county_id else None
    return Facts(
        type=application.type,
        county_code=county.code if county else None,
        course=answers.get("course_type") or None,
        topic=answers.get("topic") or None,
        collateral=answers.get("collateral") or None,
        applicant_type=answers.get("applicant_type") or None,
        amount_wan=application.amount_wan,
    )


def decision_for(facts: Facts) -> Decision:
    return decide(facts, get_rules("routing"), unit_codes())


def units_by_code(codes: list[str]) -> dict[str, Unit]:
    return {u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes)))}
