"""Pages of needs surveys: the entrepreneur's list and answer page; the owner unit's and office's list, editor,
questions, opening and closing, results and export."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.access import can, require
from portal.core.actions import perform
from portal.core.spreadsheet import XLSX_MIMETYPE
from portal.errors import NotFound
from portal.surveys import answers, audiences, operations, queries, results
from portal.surveys.forms import KIND_LABELS, ActionForm, AnswerForm, QuestionForm, SurveyForm
from portal.surveys.states import SURVEY

bp = Blueprint("surveys", __name__)


# ---------------------------------------------------------------- entrepreneurs: the list and the answer page


@bp.get("/surveys/")
@login_required
def index():
    return render_template(
        "surveys/index.html",
        surveys=queries.for_entrepreneur(current_user),
        manages=can(current_user, "survey.create"),
    )


def _answer_page(survey, given=None, status: int = 200):
    return render_template(
        "surveys/answer.html",
        survey=survey,
        form=AnswerForm(),
        given=given or answers.Answers(),
        mine=queries.participation(current_user, survey),
        phase=queries.phase(survey),
        field_name=answers.field_name,
        option_labels=results.option_labels,
        text_max=answers.TEXT_ANSWER_MAX,
    ), status


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    survey = queries.for_member(current_user, survey_id)
    if request.method == "GET":
        return _answer_page(survey)
    given = answers.read(survey.questions, request.form)
    if not AnswerForm(request.form).validate_on_submit():
        given.errors.setdefault("csrf", _("页面已过期，请刷新后重新提交。"))
    elif perform(
        lambda: operations.answer(current_user, survey.id, given),
        _("谢谢您！回答已提交。") if survey.anonymous else _("谢谢您！回答已实名提交。"),
    ):
        return redirect(url_for("surveys.answer", survey_id=survey.id))
    return _answer_page(survey, given, 400)


# ---------------------------------------------------------------- the owner unit and the office


@bp.get("/staff/surveys")
@login_required
def staff_list():
    return render_template("surveys/staff_list.html", surveys=queries.managed_list(current_user))


@bp.route("/staff/surveys/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "survey.create")
    form = SurveyForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        created = []
        if form.validate_on_submit() and perform(
            lambda: created.append(operations.create(current_user, form.values())),
            _("调查已保存为草稿。请添加问题，然后发布。"),
            form=form,
        ):
            return redirect(url_for("surveys.manage", survey_id=created[0].id))
        return render_template("surveys/edit.html", form=form, survey=None), 400
    if not form.opens_on.data:
        form.opens_on.data = queries.today().isoformat()
    return render_template("surveys/edit.html", form=form, survey=None)


@bp.get("/staff/surveys/<int:survey_id>")
@login_required
def manage(survey_id: int):
    survey = queries.managed(current_user, survey_id)
    return render_template(
        "surveys/manage.html",
        survey=survey,
        responses=queries.response_count(survey.id),
        changeable=survey.status != "closed" and not queries.has_answers(survey.id),
        audience=audiences.describe(survey.audience, survey.audience_param),
        audience_size=queries.audience_size(survey),
        phase=queries.phase(survey),
        kinds=KIND_LABELS,
        option_labels=results.option_labels,
    )


def _details(survey) -> dict:
    return {
        "title": survey.title,
        "purpose": survey.purpose,
        "audience": audiences.value_of(survey.audience, survey.audience_param),
        "anonymity": "anonymous" if survey.anonymous else "named",
        "opens_on": survey.opens_on.isoformat(),
        "closes_on": survey.closes_on.isoformat(),
    }


@bp.route("/staff/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit(survey_id: int):
    survey = queries.managed(current_user, survey_id)
    if request.method == "GET":
        return render_template("surveys/edit.html", form=SurveyForm(data=_details(survey)), survey=survey)
    form = SurveyForm(request.form)
    if form.validate_on_submit() and perform(
        lambda: operations.update(current_user, survey_id, form.values()), _("已保存。"), form=form
    ):
        return redirect(url_for("surveys.manage", survey_id=survey_id))
    return render_template("surveys/edit.html", form=form, survey=survey), 400


def _question_data(question) -> dict:
    return {
        "kind": question.kind,
        "text": question.text,
        "required": question.required,
        "options": "\n".join(question.options or []),
        "max_choices": str(question.max_choices or ""),
        "scale_low": question.scale_low or "",
        "scale_high": question.scale_high or "",
    }


@bp.route("/staff/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"])
@bp.route("/staff/surveys/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def question(survey_id: int, question_id: int | None = None):
    survey = queries.managed(current_user, survey_id)
    current = next((q for q in survey.questions if q.id == question_id), None)
    if question_id is not None and current is None:
        raise NotFound()
    if request.method == "GET":
        form = QuestionForm(data=_question_data(current)) if current else QuestionForm()
        return render_template("surveys/question.html", form=form, survey=survey, question=current)
    form = QuestionForm(request.form)
    if current is None:
        change, done = (lambda: operations.add_question(current_user, survey_id, form.values())), _("已添加这道题。")
    else:
        change = lambda: operations.update_question(current_user, survey_id, question_id, form.values())  # noqa: E731
        done = _("已保存这道题。")
    if form.validate_on_submit() and perform(change, done, form=form):
        return redirect(url_for("surveys.manage", survey_id=survey_id) + "#questions")
    return render_template("surveys/question.html", form=form, survey=survey, question=current), 400


@bp.post("/staff/surveys/<int:survey_id>/questions/<int:question_id>/delete")
@login_required
def delete_question(survey_id: int, question_id: int):
    queries.managed(current_user, survey_id)
    if ActionForm(request.form).validate_on_submit():
        perform(lambda: operations.delete_question(current_user, survey_id, question_id), _("已删除这道题。"))
    return redirect(url_for("surveys.manage", survey_id=survey_id) + "#questions")


@bp.post("/staff/surveys/<int:survey_id>/questions/<int:question_id>/move")
@login_required
def move_question(survey_id: int, question_id: int):
    queries.managed(current_user, survey_id)
    direction = request.form.get("direction", "")
    if ActionForm(request.form).validate_on_submit():
        perform(lambda: operations.move_question(current_user, survey_id, question_id, direction), None)
    return redirect(url_for("surveys.manage", survey_id=survey_id) + "#questions")


@bp.post("/staff/surveys/<int:survey_id>/<any(open, close):action>")
@login_required
def change(survey_id: int, action: str):
    queries.managed(current_user, survey_id)
    if not ActionForm(request.form).validate_on_submit():
        return redirect(url_for("surveys.manage", survey_id=survey_id))
    if action == "open":
        perform(
            lambda: operations.open_survey(current_user, survey_id),
            lambda n: _("调查已发布，已在站内消息里通知 %(n)s 位创业者。", n=n),
        )
    else:
        perform(lambda: operations.close_survey(current_user, survey_id), _("调查已结束，不再接受回答。"))
    return redirect(url_for("surveys.manage", survey_id=survey_id))


@bp.get("/staff/surveys/<int:survey_id>/results")
@login_required
def results_page(survey_id: int):
    survey = queries.for_results(current_user, survey_id)
    return render_template(
        "surveys/results.html",
        survey=survey,
        found=results.results(survey, current_user),
        audience=audiences.describe(survey.audience, survey.audience_param),
        status_label=SURVEY.label(survey.status),
    )


@bp.get("/staff/surveys/<int:survey_id>/results.xlsx")
@login_required
def export(survey_id: int):
    survey = queries.for_results(current_user, survey_id)
    return Response(
        results.export(survey, current_user),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f"attachment; filename=survey-{survey.id}-results.xlsx"},
    )
