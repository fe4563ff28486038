"""Reading surveys: one survey through its access check, the lists of each role, whether answers exist."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.core.access import require
from portal.core.tally import local_day
from portal.extensions import db
from portal.surveys import audiences
from portal.surveys.models import Survey, SurveyParticipant, SurveyResponse
from portal.surveys.states import CLOSED, DRAFT, OPEN

LIST_LIMIT = 200


def today() -> date:
    """Today in Asia/Shanghai: a survey's dates are days as people in Nanyang count them."""
    return local_day(None)


def accepting(survey: Survey) -> bool:
    """Open, and today is within its dates (both inclusive)."""
    return survey.status == OPEN and survey.opens_on <= today() <= survey.closes_on


def phase(survey: Survey) -> str:
    """What a reader is told: draft, scheduled (open from a later day), open, or ended (closed, or past its last
    day and not yet closed by `flask surveys close-due`)."""
    if survey.status == DRAFT:
        return "draft"
    if survey.status == CLOSED or survey.closes_on < today():
        return "ended"
    return "scheduled" if survey.opens_on > today() else "open"


def _get(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def managed(user, survey_id: int) -> Survey:
    return require(user, "survey.manage", _get(survey_id))


def for_results(user, survey_id: int) -> Survey:
    return require(user, "survey.results", _get(survey_id))


def for_member(user, survey_id: int) -> Survey:
    return require(user, "survey.see", _get(survey_id))


def managed_list(user) -> list[Survey]:
    """The office: every survey; staff: their unit's; the newest first."""
    require(user, "survey.create")
    stmt = sa.select(Survey).order_by(Survey.id.desc()).limit(LIST_LIMIT)
    if user.role == "staff":
        stmt = stmt.where(Survey.owner_unit_id == user.unit_id)
    return list(db.session.scalars(stmt))


def for_entrepreneur(user) -> list[tuple[Survey, bool]]:
    """The open surveys whose audience includes the user, each with whether they have answered it."""
    if getattr(user, "role", None) != "applicant":
        return []
    stmt = sa.select(Survey).where(Survey.status == OPEN).order_by(Survey.closes_on, Survey.id)
    surveys = [s for s in db.session.scalars(stmt) if audiences.is_member(user, s.audience, s.audience_param)]
    answered = answered_ids(user, [s.id for s in surveys])
    return [(s, s.id in answered) for s in surveys]


def answered_ids(user, survey_ids: list[int]) -> set[int]:
    if not survey_ids:
        return set()
    stmt = sa.select(SurveyParticipant.survey_id).where(
        SurveyParticipant.user_id == user.id, SurveyParticipant.survey_id.in_(survey_ids)
    )
    return set(db.session.scalars(stmt))


def participation(user, survey: Survey) -> SurveyParticipant | None:
    return db.session.get(SurveyParticipant, (survey.id, user.id))


def response_count(survey_id: int) -> int:
    stmt = sa.select(sa.func.count()).select_from(SurveyResponse).where(SurveyResponse.survey_id == survey_id)
    return db.session.scalar(stmt) or 0


def has_answers(survey_id: int) -> bool:
    """Whether anyone answered (their participant row counts too: demo answers have none, real ones both)."""
    responses = sa.select(SurveyResponse.id).where(SurveyResponse.survey_id == survey_id)
    people = sa.select(SurveyParticipant.user_id).where(SurveyParticipant.survey_id == survey_id)
    return bool(db.session.scalar(sa.select(sa.or_(responses.exists(), people.exists()))))


def audience_size(survey: Survey) -> int:
    members = audiences.member_ids(survey.audience, survey.audience_param).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(members)) or 0
