"""Pages of the stories area: the public list (by county and industry) and story pages with their photos; the
editors' desk, story form, photos, the person's consent and the moves of publication."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import audit
from portal.core.access import can, require
from portal.core.actions import perform
from portal.core.pages import list_page
from portal.policies.services import render_markdown
from portal.stories import operations, queries
from portal.stories.forms import ConsentForm, MoveForm, PhotoForm, StoryForm, WithdrawForm
from portal.stories.photos import MAX_BYTES
from portal.stories.states import PUBLISHED
from portal.stories.vocab import SUPPORT_KINDS

bp = Blueprint("stories", __name__)


# ---------------------------------------------------------------- public pages


@bp.get("/stories/")
def index():
    return list_page(queries.LISTING, "stories/list.html")


@bp.get("/stories/<int:story_id>")
def detail(story_id: int):
    story = queries.viewable(current_user, story_id)
    return render_template(
        "stories/detail.html",
        story=story,
        body_html=render_markdown(story.body),
        supports=queries.support_links(story),
        venture=queries.published_venture(story),
    )


def _image(data: bytes, story) -> Response:
    response = Response(data, mimetype="image/jpeg")
    if story.status == PUBLISHED:
        response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/stories/photos/<int:photo_id>.jpg")
def photo(photo_id: int):
    found = queries.photo(current_user, photo_id)
    return _image(found.data, found.story)


@bp.get("/stories/photos/<int:photo_id>/small.jpg")
def thumb(photo_id: int):
    found = queries.photo(current_user, photo_id)
    return _image(found.thumb, found.story)


# ---------------------------------------------------------------- editors


@bp.get("/editorial/stories/")
@login_required
def desk():
    return render_template("stories/desk.html", stories=queries.desk(current_user))


def _story_form(data=None, story=None) -> StoryForm:
    support = {kind: queries.support_choices(kind) for kind in SUPPORT_KINDS}
    form = StoryForm(data, counties=queries.all_counties(), support=support)
    if data is None and story is not None:
        form.process(data={"title": story.title, "body": story.body, "county": story.county.code,
                           "industry": story.industry, "venture_id": str(story.venture_id or ""),
                           **{kind: story.support(kind) for kind in SUPPORT_KINDS}})  # fmt: skip
    return form


def _save(form: StoryForm, story_id: int | None, story=None):
    done = []
    if form.validate_on_submit() and perform(
        lambda: done.append(operations.save(current_user, story_id, form.values(), form.supports())),
        _("已保存。"),
        form=form,
    ):
        return redirect(url_for("stories.edit_page", story_id=done[0].id))
    return render_template("stories/form.html", form=form, story=story), 400


@bp.route("/editorial/stories/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "story.edit")
    if request.method == "POST":
        return _save(_story_form(request.form), None)
    return render_template("stories/form.html", form=_story_form(), story=None)


@bp.route("/editorial/stories/<int:story_id>/edit", methods=["GET", "POST"])
@login_required
def edit(story_id: int):
    require(current_user, "story.edit")
    story = queries.editable(current_user, story_id)
    if request.method == "POST":
        return _save(_story_form(request.form), story_id, story)
    return render_template("stories/form.html", form=_story_form(story=story), story=story)


def _page(story_id: int, status: int = 200, **forms):
    story = queries.editable(current_user, story_id)
    return render_template(
        "stories/edit.html",
        story=story,
        body_html=render_markdown(story.body),
        supports=queries.support_links(story),
        photo_form=forms.get("photo_form") or PhotoForm(),
        consent_form=forms.get("consent_form") or ConsentForm(),
        withdraw_form=forms.get("withdraw_form") or WithdrawForm(),
        move_form=forms.get("move_form") or MoveForm(),
        may_review=can(current_user, "story.review", story),
    ), status


@bp.get("/editorial/stories/<int:story_id>")
@login_required
def edit_page(story_id: int):
    return _page(story_id)


def _upload(name: str) -> bytes:
    upload = request.files.get(name)
    return upload.read(MAX_BYTES + 1) if upload else b""


@bp.post("/editorial/stories/<int:story_id>/photos")
@login_required
def add_photo(story_id: int):
    require(current_user, "story.edit")
    queries.editable(current_user, story_id)
    form = PhotoForm()
    data = _upload("photo")
    if form.validate_on_submit() and perform(
        lambda: operations.add_photo(current_user, story_id, data, form.alt.data or "", form.caption.data or ""),
        _("照片已上传（已缩小并去掉了拍摄位置等信息）。"),
        form=form,
    ):
        return redirect(url_for("stories.edit_page", story_id=story_id) + "#h-photos")
    return _page(story_id, status=400, photo_form=form)


@bp.post("/editorial/stories/<int:story_id>/photos/<int:photo_id>/delete")
@login_required
def delete_photo(story_id: int, photo_id: int):
    require(current_user, "story.edit")
    if MoveForm(request.form).validate_on_submit():
        perform(lambda: operations.delete_photo(current_user, story_id, photo_id), _("照片已删除。"))
    return redirect(url_for("stories.edit_page", story_id=story_id) + "#h-photos")


@bp.post("/editorial/stories/<int:story_id>/consent")
@login_required
def record_consent(story_id: int):
    require(current_user, "story.edit")
    queries.editable(current_user, story_id)
    form = ConsentForm()
    values = {name: form[name].data for name in ("person_name", "method", "consented_on", "scope")}
    scan = _upload("scan")
    if form.validate_on_submit() and perform(
        lambda: operations.record_consent(current_user, story_id, values, scan), _("已记录本人的同意。"), form=form
    ):
        return redirect(url_for("stories.edit_page", story_id=story_id) + "#h-consent")
    return _page(story_id, status=400, consent_form=form)


@bp.post("/editorial/stories/<int:story_id>/consent/<int:consent_id>/withdraw")
@login_required
def withdraw_consent(story_id: int, consent_id: int):
    require(current_user, "story.edit")
    queries.editable(current_user, story_id)
    form = WithdrawForm(request.form)
    if form.validate_on_submit() and perform(
        lambda: operations.withdraw_consent(current_user, story_id, consent_id, form.withdrawal_note.data or ""),
        _("已记录撤回同意；故事已不再公开。"),
        form=form,
    ):
        return redirect(url_for("stories.edit_page", story_id=story_id) + "#h-consent")
    return _page(story_id, status=400, withdraw_form=form)


@bp.get("/editorial/stories/<int:story_id>/consent/<int:consent_id>/scan")
@login_required
def consent_scan(story_id: int, consent_id: int):
    story = queries.editable(current_user, story_id)
    consent = queries.consent(current_user, story, consent_id)
    if not consent.scan:
        return redirect(url_for("stories.edit_page", story_id=story_id))
    audit.record_read(current_user, "personal_data.view", "story_consent", consent.id)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(consent.scan_type, "bin")
    return Response(
        consent.scan,
        mimetype=consent.scan_type or "application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename=consent-{consent.id}.{extension}"},
    )


MOVED = {
    "submit": _l("已提交，需要另一位编辑审核发布。"),
    "recall": _l("已收回，可以继续修改。"),
    "return": _l("已退回作者修改。"),
    "publish": _l("已发布。"),
    "unpublish": _l("已撤下，公众看不到了。"),
}


@bp.post("/editorial/stories/<int:story_id>/move")
@login_required
def move(story_id: int):
    queries.editable(current_user, story_id)
    form = MoveForm(request.form)
    action = request.form.get("action", "")
    if form.validate_on_submit() and perform(
        lambda: operations.move(current_user, story_id, action, form.note.data or ""),
        str(MOVED.get(action, "")),
        form=form,
    ):
        return redirect(url_for("stories.edit_page", story_id=story_id))
    return _page(story_id, status=400, move_form=form)
