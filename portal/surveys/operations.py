"""Changing surveys: drafting and editing (details, questions), opening and closing, answering.

Statuses move only through `states.SURVEY`; the caller's request commits once. Every change is audited; an answer
is audited as "this person answered this survey", never with what they answered or which response is theirs
(for an anonymous survey)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.core.access import can, require
from portal.db import utcnow
from portal.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.surveys import audiences, checks, notifications, queries
from portal.surveys.answers import Answers
from portal.surveys.models import (
    MULTIPLE,
    SCALE,
    SINGLE,
    Survey,
    SurveyAnswer,
    SurveyParticipant,
    SurveyQuestion,
    SurveyResponse,
)
from portal.surveys.states import CLOSED, DRAFT, OPEN, SURVEY


def _details_dict(survey: Survey) -> dict:
    return {
        "title": survey.title,
        "audience": survey.audience,
        "audience_param": survey.audience_param,
        "anonymous": survey.anonymous,
        "opens_on": survey.opens_on.isoformat(),
        "closes_on": survey.closes_on.isoformat(),
    }


def create(user, values: Mapping[str, object]) -> Survey:
    require(user, "survey.create")
    details = checks.check_details(values, queries.today())
    survey = Survey(
        title=details.title,
        purpose=details.purpose,
        owner_unit_id=user.unit_id,
        created_by_id=user.id,
        audience=details.audience,
        audience_param=details.audience_param,
        anonymous=details.anonymous,
        opens_on=details.opens_on,
        closes_on=details.closes_on,
        status=SURVEY.initial,
    )
    db.session.add(survey)
    db.session.flush()
    audit.record(user, "survey.create", "survey", survey.id, after=_details_dict(survey))
    return survey


def _changeable(survey: Survey) -> None:
    """Questions (and details) change only before anyone answered, and never once closed."""
    if survey.status == CLOSED:
        raise InvalidTransition(_("调查已结束，不能再修改。"))
    if queries.has_answers(survey.id):
        raise InvalidTransition(_("已经有人回答了这份调查，问题和设置不能再改。"))


def update(user, survey_id: int, values: Mapping[str, object]) -> Survey:
    survey = queries.managed(user, survey_id)
    _changeable(survey)
    opened = survey.status == OPEN
    details = checks.check_details(values, queries.today(), opened=opened)
    before = _details_dict(survey)
    survey.title, survey.purpose = details.title, details.purpose
    survey.closes_on = details.closes_on
    if not opened:  # once its audience has been told, who it is for and whether it is anonymous stay
        survey.opens_on = details.opens_on
        survey.audience, survey.audience_param = details.audience, details.audience_param
        survey.anonymous = details.anonymous
    audit.record(user, "survey.update", "survey", survey.id, before=before, after=_details_dict(survey))
    return survey


def _apply_question(question: SurveyQuestion, data: checks.QuestionInput) -> None:
    question.kind, question.text, question.required = data.kind, data.text, data.required
    question.options = data.options if data.kind in (SINGLE, MULTIPLE) else []
    question.max_choices = data.max_choices if data.kind == MULTIPLE else None
    question.scale_low = data.scale_low if data.kind == SCALE else None
    question.scale_high = data.scale_high if data.kind == SCALE else None


def add_question(user, survey_id: int, values: Mapping[str, object]) -> SurveyQuestion:
    survey = queries.managed(user, survey_id)
    _changeable(survey)
    if len(survey.questions) >= checks.QUESTIONS_MAX:
        raise InvalidTransition(_("一份调查最多 %(n)d 道题。", n=checks.QUESTIONS_MAX))
    data = checks.check_question(values)
    question = SurveyQuestion(survey_id=survey.id, position=max((q.position for q in survey.questions), default=0) + 1)
    _apply_question(question, data)
    survey.questions.append(question)
    db.session.flush()
    audit.record(user, "survey.question_add", "survey", survey.id, after={"question": question.id, "kind": data.kind})
    return question


def _question(survey: Survey, question_id: int) -> SurveyQuestion:
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        raise NotFound()
    return question


def update_question(user, survey_id: int, question_id: int, values: Mapping[str, object]) -> SurveyQuestion:
    survey = queries.managed(user, survey_id)
    question = _question(survey, question_id)
    _changeable(survey)
    data = checks.check_question(values)
    before = {"kind": question.kind, "text": question.text, "options": list(question.options or [])}
    _apply_question(question, data)
    audit.record(
        user,
        "survey.question_update",
        "survey",
        survey.id,
        before={"question": question.id, **before},
        after={"question": question.id, "kind": question.kind, "text": question.text, "options": question.options},
    )
    return question


def delete_question(user, survey_id: int, question_id: int) -> None:
    survey = queries.managed(user, survey_id)
    question = _question(survey, question_id)
    _changeable(survey)
    survey.questions.remove(question)
    for position, other in enumerate(survey.questions, start=1):
        other.position = position
    audit.record(user, "survey.question_delete", "survey", survey.id, before={"question": question_id})


def move_question(user, survey_id: int, question_id: int, direction: str) -> None:
    survey = queries.managed(user, survey_id)
    question = _question(survey, question_id)
    _changeable(survey)
    ordered = list(survey.questions)
    index = ordered.index(question)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        raise InvalidTransition(_("这道题已经在最前面或最后面了。"))
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    audit.record(user, "survey.question_move", "survey", survey.id, after={"question": question_id, "to": other + 1})


def open_survey(user, survey_id: int) -> int:
    """Open a draft to its audience and tell each member in their message centre; the number told."""
    survey = queries.managed(user, survey_id)
    if survey.status != DRAFT:
        raise InvalidTransition(_("这份调查已经发布过了。"))
    if not survey.questions:
        raise InvalidTransition(_("请先添加至少一道题，再发布。"))
    if survey.closes_on < queries.today():
        raise InvalidTransition(_("截止日期已经过了，请先修改截止日期。"))
    SURVEY.apply(survey, "open", user, values={"opened_at": utcnow()})
    ids = list(db.session.scalars(audiences.member_ids(survey.audience, survey.audience_param)))
    notifications.opened(survey, ids)
    return len(ids)


def close_survey(user, survey_id: int | Survey) -> None:
    survey = survey_id if isinstance(survey_id, Survey) else queries.managed(user, survey_id)
    SURVEY.apply(survey, "close", user, values={"closed_at": utcnow()})


def close_due() -> int:
    """Close every open survey whose last day has passed (daily, from cron: `flask surveys close-due`)."""
    due = db.session.scalars(sa.select(Survey).where(Survey.status == OPEN, Survey.closes_on < queries.today()))
    closed = 0
    for survey in list(due):
        close_survey(None, survey)
        closed += 1
    return closed


def answer(user, survey_id: int, given: Answers) -> None:
    """Store one person's answers: who answered in `survey_participant`, what in `survey_response` (no link between
    them unless the survey is named). Its primary key refuses a second answer, also one sent twice at once."""
    survey = queries.for_member(user, survey_id)  # 404 for anyone outside the audience
    if queries.participation(user, survey) is not None:
        raise InvalidTransition(_("您已经回答过这份调查了，每人只能回答一次。谢谢您！"))
    if not can(user, "survey.answer", survey):
        if queries.phase(survey) == "scheduled":
            raise InvalidTransition(_("调查从 %(day)s 开始，到时再来回答。", day=survey.opens_on.isoformat()))
        raise InvalidTransition(_("调查已于 %(day)s 结束，不能再提交回答。", day=survey.closes_on.isoformat()))
    if given.errors:
        raise checks.SurveyErrors(given.errors)
    participant = SurveyParticipant(survey_id=survey.id, user_id=user.id, answered_on=queries.today())
    try:
        with db.session.begin_nested():
            db.session.add(participant)
            db.session.flush()
    except IntegrityError:  # the same form sent twice at once: the other one won
        raise InvalidTransition(_("您已经回答过这份调查了，每人只能回答一次。谢谢您！")) from None
    response = SurveyResponse(survey_id=survey.id)
    for question_id, options in given.chosen.items():
        response.answers += [SurveyAnswer(question_id=question_id, option=option) for option in options]
    for question_id, text in given.texts.items():
        response.answers.append(SurveyAnswer(question_id=question_id, option=0, text=text))
    db.session.add(response)
    db.session.flush()
    if not survey.anonymous:
        participant.response_id = response.id
    after = {"anonymous": survey.anonymous} | ({} if survey.anonymous else {"response": response.id})
    audit.record(user, "survey.answer", "survey", survey.id, after=after)
