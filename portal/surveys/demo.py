"""Demo surveys for a development server (`flask surveys demo`, called by `make run`): a newcomer sees a survey
open in the demo applicant's message centre and the office sees results. Every survey and response made here is
marked `demo` (演示数据 on every page showing it); production never runs this.

The demo answers are responses without a participant: nobody answered them, so every demo account (王返乡
included) can still answer the open survey itself."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from portal.catalog.models import Unit
from portal.db import utcnow
from portal.extensions import db
from portal.surveys import audiences, notifications, queries
from portal.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from portal.surveys.states import SURVEY

RESPONSES = 12
SUGGESTIONS = (
    "希望贷款审批再快一些，材料能在网上一次交齐。",
    "培训最好放在农闲的时候，离家近一点。",
    "想多参加几次项目对接会，认识一些采购商。",
    "乡镇服务站的工作人员很热心，希望能常来村里讲政策。",
    "希望有人帮忙做电商直播的培训。",
    "园区的租金能不能再优惠一些。",
    "希望能有导师上门看看我们的养殖场。",
)


def _unit(code: str) -> int | None:
    return db.session.scalar(sa.select(Unit.id).where(Unit.code == code))


def _question(survey: Survey, kind: str, text: str, required=True, **extra) -> SurveyQuestion:
    question = SurveyQuestion(kind=kind, text=text, required=required, position=len(survey.questions) + 1, **extra)
    survey.questions.append(question)
    return question


def _needs_survey(today) -> Survey:
    survey = Survey(
        title="返乡创业者需求调查（演示）",
        purpose="了解返乡创业者最需要哪些支持，作为领导小组安排今年工作的参考。本调查为演示数据。",
        owner_unit_id=_unit("city-office"),
        audience="all",
        anonymous=True,
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=21),
        status=SURVEY.initial,
        demo=True,
    )
    needs = ["资金（创业担保贷款）", "技能培训", "创业辅导", "场地（孵化基地、园区）", "销路和市场"]
    _question(survey, "single", "您目前最需要哪方面的支持？", options=needs)
    ways = ["微信公众号", "乡镇服务站", "短信", "本平台", "现场宣讲会"]
    _question(survey, "multiple", "您希望通过哪些方式了解创业政策？（最多选 2 项）", max_choices=2, options=ways)
    _question(survey, "scale", "您对所在县区返乡创业服务的总体评价", scale_low="很不满意", scale_high="很满意")
    _question(survey, "text", "您对返乡创业服务还有什么建议？", required=False)
    _question(survey, "text", "您所在的乡镇最缺哪项服务？", required=False)
    db.session.add(survey)
    db.session.flush()
    return survey


def _answers(survey: Survey, rng: random.Random) -> None:
    single, multiple, scale, suggestion, township = survey.questions
    for n in range(RESPONSES):
        response = SurveyResponse(survey_id=survey.id, demo=True)
        response.answers.append(
            SurveyAnswer(question_id=single.id, option=rng.choices(range(1, 6), (5, 3, 2, 2, 3))[0])
        )
        for option in rng.sample(range(1, 6), rng.choice((1, 2))):
            response.answers.append(SurveyAnswer(question_id=multiple.id, option=option))
        response.answers.append(SurveyAnswer(question_id=scale.id, option=rng.choices(range(1, 6), (1, 1, 3, 5, 3))[0]))
        if n < len(SUGGESTIONS):
            response.answers.append(SurveyAnswer(question_id=suggestion.id, option=0, text=SUGGESTIONS[n]))
        if n < 3:  # fewer than 5 answers: the results page shows how such a question is suppressed
            response.answers.append(SurveyAnswer(question_id=township.id, option=0, text="电商物流"))
        db.session.add(response)


def _county_survey(today) -> Survey:
    survey = Survey(
        title="镇平县创业培训需求摸底（演示）",
        purpose="摸清下半年创业培训班的时间、地点和内容需求。本调查为演示数据，尚未发布。",
        owner_unit_id=_unit("411324-hrss") or _unit("city-hrss"),
        audience="county",
        audience_param="411324",
        anonymous=False,
        opens_on=today + timedelta(days=3),
        closes_on=today + timedelta(days=30),
        status=SURVEY.initial,
        demo=True,
    )
    _question(survey, "single", "您方便参加培训的时间", options=["农闲（11月–次年2月）", "周末", "晚上", "都可以"])
    _question(survey, "text", "您最想学什么？", required=False)
    db.session.add(survey)
    return survey


def make_demo() -> int:
    """The two demo surveys, once; 0 when demo surveys exist."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Survey).where(Survey.demo)):
        return 0
    today = queries.today()
    survey = _needs_survey(today)
    _answers(survey, random.Random(2021))  # noqa: S311 - demo answers, not secrets
    SURVEY.apply(survey, "open", None, values={"opened_at": utcnow()})
    notifications.opened(survey, list(db.session.scalars(audiences.member_ids(survey.audience, None))))
    _county_survey(today)
    db.session.flush()
    return 2
