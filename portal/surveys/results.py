"""A survey's results for its owner unit and the office: counts per option with charts, the free-text answers,
and the XLSX file for the unit's report.

Small counts are suppressed with the public statistics' rule (`dashboard.public.THRESHOLD`): a question answered by
fewer than that many people shows no counts, no chart and no texts, on the page and in the export, so that a few
answers cannot be traced to the few people who gave them. Free texts are listed in the order of their responses'
random keys, never in the order they arrived. A named survey shows who gave a free text, masked unless the reader
holds the full-personal-data grant (such reads are audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts.grants import may_see_full_data
from portal.accounts.models import User
from portal.core.crypto import mask_phone
from portal.core.spreadsheet import xlsx_book
from portal.dashboard import charts
from portal.dashboard.public import HIDDEN, THRESHOLD
from portal.extensions import db
from portal.surveys.models import (
    SCALE,
    SCALE_VALUES,
    TEXT,
    Survey,
    SurveyAnswer,
    SurveyParticipant,
    SurveyQuestion,
    SurveyResponse,
)


@dataclass
class Row:
    label: str
    count: int
    share: int  # per cent of the people who answered the question


@dataclass
class QuestionResult:
    number: int
    question: SurveyQuestion
    answered: int
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None  # scale questions
    texts: list[tuple[str, str | None]] = field(default_factory=list)  # (text, who: named surveys only)
    chart: str | None = None

    @property
    def shown(self) -> bool:
        return self.answered >= THRESHOLD


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]
    threshold: int = THRESHOLD
    hidden_as: str = HIDDEN


def option_labels(question: SurveyQuestion) -> list[tuple[int, str]]:
    if question.kind == SCALE:
        ends = {1: question.scale_low, 5: question.scale_high}
        return [(v, f"{v} · {ends[v]}" if ends.get(v) else str(v)) for v in SCALE_VALUES]
    return list(enumerate(question.options or [], start=1))


def mask_name(name: str | None) -> str:
    """王返乡 -> 王**: enough to recognise among a few, not enough to name."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def _people(survey: Survey, full: bool) -> dict[str, str]:
    """Named surveys: response key -> who answered (masked unless `full`)."""
    if survey.anonymous:
        return {}
    stmt = (
        sa.select(SurveyParticipant.response_id, User)
        .join(User, User.id == SurveyParticipant.user_id)
        .where(SurveyParticipant.survey_id == survey.id, SurveyParticipant.response_id.is_not(None))
    )
    return {
        key: f"{user.name} {user.phone}" if full else f"{mask_name(user.name)} {mask_phone(user.phone)}"
        for key, user in db.session.execute(stmt).all()
    }


def results(survey: Survey, viewer, with_charts: bool = True) -> Results:
    ids = [q.id for q in survey.questions]
    counts: dict[tuple[int, int], int] = {}
    answered: dict[int, int] = {}
    if ids:
        stmt = (
            sa.select(SurveyAnswer.question_id, SurveyAnswer.option, sa.func.count())
            .where(SurveyAnswer.question_id.in_(ids))
            .group_by(SurveyAnswer.question_id, SurveyAnswer.option)
        )
        counts = {(q, o): n for q, o, n in db.session.execute(stmt)}
        people = (
            sa.select(SurveyAnswer.question_id, sa.func.count(sa.distinct(SurveyAnswer.response_id)))
            .where(SurveyAnswer.question_id.in_(ids))
            .group_by(SurveyAnswer.question_id)
        )
        answered = dict(db.session.execute(people).all())
    total = db.session.scalar(sa.select(sa.func.count()).where(SurveyResponse.survey_id == survey.id)) or 0
    full = may_see_full_data(viewer) and not survey.anonymous
    who = _people(survey, full)
    found = []
    for number, question in enumerate(survey.questions, start=1):
        result = QuestionResult(number, question, answered.get(question.id, 0))
        if result.shown:
            _fill(result, counts, who, with_charts)
        found.append(result)
    if full and who:
        audit.record_read(viewer, "personal_data.view", "survey", survey.id)
    return Results(survey, total, found)


def _fill(result: QuestionResult, counts, who, with_charts: bool) -> None:
    question = result.question
    if question.kind == TEXT:
        stmt = (
            sa.select(SurveyAnswer.response_id, SurveyAnswer.text)
            .where(SurveyAnswer.question_id == question.id, SurveyAnswer.option == 0)
            .order_by(SurveyAnswer.response_id)  # random keys: not the order the answers came in
        )
        result.texts = [(text or "", who.get(key)) for key, text in db.session.execute(stmt)]
        return
    for option, label in option_labels(question):
        n = counts.get((question.id, option), 0)
        result.rows.append(Row(label, n, round(100 * n / result.answered)))
    if question.kind == SCALE:
        result.mean = round(sum(v * counts.get((question.id, v), 0) for v in SCALE_VALUES) / result.answered, 2)
    if with_charts:
        result.chart = charts.counts(
            f"{result.number}. {question.text}", [(r.label, float(r.count)) for r in result.rows], series=_("人数")
        )


def export(survey: Survey, viewer) -> bytes:
    """The unit's report: the counts per option and the free-text answers, suppressed as on the page; every cell
    written as text or number (spreadsheet-injection safe, core.spreadsheet)."""
    found = results(survey, viewer, with_charts=False)
    few = _("回答少于 %(n)d 人，不显示", n=THRESHOLD)
    counts = []
    texts = []
    for q in found.questions:
        if q.question.kind == TEXT:
            if not q.shown:
                texts.append([q.number, q.question.text, few] + ([""] if not survey.anonymous else []))
            for text, who in q.texts:
                texts.append([q.number, q.question.text, text] + ([who or ""] if not survey.anonymous else []))
        elif not q.shown:
            counts.append([q.number, q.question.text, few, HIDDEN, ""])
        else:
            counts += [[q.number, q.question.text, r.label, r.count, f"{r.share}%"] for r in q.rows]
    audit.record_read(viewer, "survey.export", "survey", survey.id, after={"responses": found.responses})
    return xlsx_book(
        [
            (_("选项统计"), [_("题号"), _("问题"), _("选项"), _("人数"), _("占比")], counts),
            (
                _("文字回答"),
                [_("题号"), _("问题"), _("回答")] + ([_("填写人")] if not survey.anonymous else []),
                texts,
            ),
        ]
    )
