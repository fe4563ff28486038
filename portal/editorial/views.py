"""Pages of content editing: the desk, entry lists, entry forms with a preview that needs no JavaScript, a
change's review page, an entry's history with diffs, restore and unpublication."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.content import entries
from portal.core.access import can, require
from portal.core.actions import perform
from portal.editorial import operations, queries
from portal.editorial.forms import ActionForm, ReasonForm, ReviewForm, entry_form, to_raw
from portal.errors import NotFound
from portal.policies.services import render_markdown

bp = Blueprint("editorial", __name__, url_prefix="/editorial")

KIND_LABELS = {
    "policies": _l("政策指南"),
    "bases": _l("孵化基地"),
    "parks": _l("示范园区"),
    "projects": _l("示范项目"),
    "mentors": _l("创业导师"),
    "answers": _l("搜索直达"),
    "search-terms": _l("搜索用语"),
}
PUBLIC = {
    "policies": "policies.detail",
    "bases": "catalog.bases_detail",
    "parks": "catalog.parks_detail",
    "projects": "catalog.projects_detail",
    "mentors": "catalog.mentors_detail",
    "answers": "search.answer_entry",
    "search-terms": "search.term_entry",
}


def _kind(kind: str) -> str:
    if kind not in KIND_LABELS:
        raise NotFound()
    return kind


def _render_form(kind: str, form, *, key=None, change=None, status: int = 200):
    preview = None
    if kind == "policies" and request.method == "POST" and request.form.get("action") == "preview":
        preview = render_markdown((form["body"].data or "").replace("\r\n", "\n"))
    return render_template(
        "editorial/form.html",
        kind=kind,
        kind_label=KIND_LABELS[kind],
        form=form,
        key=key,
        change=change,
        preview=preview,
        fields=[f for f in entries.KINDS[kind].fields if not (key and f.name == "slug")],
    ), status


def _save(kind: str, form, save, *, key=None, change=None):
    """POST of an entry form: 预览 shows the page again, 保存 makes or changes the draft (提交 also submits it)."""
    action = request.form.get("action", "save")
    if action == "preview":
        return _render_form(kind, form, key=key, change=change)
    submit = action == "submit"
    message = _("已提交审核：需要另一位编辑审核发布。") if submit else _("草稿已保存。")
    holder: dict = {}

    def run():
        holder["change"] = save(to_raw(kind, form), submit)

    if form.validate_on_submit() and perform(run, message, form=form):
        return redirect(url_for("editorial.change", change_id=holder["change"].id))
    return _render_form(kind, form, key=key, change=change, status=400)


@bp.get("/")
@login_required
def desk():
    return render_template("editorial/desk.html", lists=queries.desk(current_user), kinds=KIND_LABELS)


@bp.get("/<kind>/")
@login_required
def entries_list(kind: str):
    q = request.args.get("q", "")
    items = queries.entry_list(current_user, _kind(kind), q)
    return render_template("editorial/entries.html", kind=kind, kind_label=KIND_LABELS[kind], items=items, q=q[:100])


@bp.route("/<kind>/new", methods=["GET", "POST"])
@login_required
def new(kind: str):
    require(current_user, "editorial.edit")
    form = entry_form(_kind(kind), request.form if request.method == "POST" else None)
    if request.method == "POST":
        return _save(kind, form, lambda raw, submit: operations.draft(current_user, kind, raw, submit=submit))
    return _render_form(kind, form)


@bp.route("/<kind>/<key>/edit", methods=["GET", "POST"])
@login_required
def edit(kind: str, key: str):
    require(current_user, "editorial.edit")
    obj = queries.entry(current_user, _kind(kind), key)
    if request.method == "POST":
        form = entry_form(kind, request.form)
        return _save(
            kind, form, lambda raw, submit: operations.draft(current_user, kind, raw, key, submit=submit), key=key
        )
    return _render_form(kind, entry_form(kind, data=entries.entry_data(kind, obj)), key=key)


@bp.route("/changes/<int:change_id>/edit", methods=["GET", "POST"])
@login_required
def edit_change(change_id: int):
    change = require(current_user, "content_change.draft", queries.change(current_user, change_id))
    key = change.key if change.base_version else None
    if request.method == "POST":
        form = entry_form(change.kind, request.form)
        return _save(
            change.kind,
            form,
            lambda raw, submit: operations.update(current_user, change, raw, submit=submit),
            key=key,
            change=change,
        )
    return _render_form(change.kind, entry_form(change.kind, data=change.data), key=key, change=change)


@bp.get("/changes/<int:change_id>")
@login_required
def change(change_id: int):
    found = queries.change(current_user, change_id)
    live = queries.live_data(found.kind, found.key)
    proposed = found.data if found.op == "edit" else None
    return render_template(
        "editorial/change.html",
        change=found,
        kind_label=KIND_LABELS.get(found.kind, found.kind),
        proposed=queries.diff(found.kind, found.base_data, proposed) if found.op == "edit" else [],
        stale=found.status in ("draft", "submitted") and operations.stale(found),
        others=queries.diff(found.kind, found.base_data, live),
        preview=render_markdown(found.data.get("body", "")) if found.kind == "policies" and found.data else None,
        public=PUBLIC[found.kind],
        action=ActionForm(),
        review=ReviewForm(),
    )


MOVES = {
    "submit": _l("已提交审核：需要另一位编辑审核发布。"),
    "recall": _l("已撤回为草稿，可以继续修改。"),
    "withdraw": _l("这项修改已撤销。"),
    "reject": _l("已退回，作者会看到原因。"),
}


@bp.post("/changes/<int:change_id>/<action>")
@login_required
def move(change_id: int, action: str):
    found = queries.change(current_user, change_id)
    if action == "publish":
        perform(
            lambda: operations.publish(current_user, found),
            lambda v: _("已发布第 %(n)s 版，公众页面和搜索即时更新。", n=v.version),
        )
    elif action in MOVES:
        form = ReviewForm(request.form)
        if form.validate_on_submit():
            perform(lambda: operations.move(current_user, found, action, form.note.data or ""), str(MOVES[action]))
    else:
        raise NotFound()
    return redirect(url_for("editorial.change", change_id=change_id))


@bp.get("/<kind>/<key>/history")
@login_required
def history(kind: str, key: str):
    obj = queries.entry(current_user, _kind(kind), key)
    return render_template(
        "editorial/history.html",
        kind=kind,
        kind_label=KIND_LABELS[kind],
        item=obj,
        versions=queries.versions(kind, key),
        changes=queries.changes_of(kind, key),
        public=PUBLIC[kind],
        action=ActionForm(),
        can_edit=can(current_user, "editorial.edit"),
    )


@bp.get("/<kind>/<key>/diff")
@login_required
def diff(kind: str, key: str):
    obj = queries.entry(current_user, _kind(kind), key)
    try:
        a, b = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError:
        raise NotFound() from None
    old, new = queries.version(kind, key, a), queries.version(kind, key, b)
    return render_template(
        "editorial/diff.html",
        kind=kind,
        kind_label=KIND_LABELS[kind],
        item=obj,
        old=old,
        new=new,
        lines=queries.diff(kind, old.data, new.data),
    )


@bp.post("/<kind>/<key>/restore/<int:version>")
@login_required
def restore(kind: str, key: str, version: int):
    holder: dict = {}

    def run():
        holder["change"] = operations.restore(current_user, _kind(kind), key, version)

    if perform(run, _("已把第 %(n)s 版复制为新草稿；提交后需要另一位编辑审核发布。", n=version)):
        return redirect(url_for("editorial.change", change_id=holder["change"].id))
    return redirect(url_for("editorial.history", kind=kind, key=key))


@bp.route("/<kind>/<key>/unpublish", methods=["GET", "POST"])
@login_required
def unpublish(kind: str, key: str):
    require(current_user, "editorial.edit")
    obj = queries.entry(current_user, _kind(kind), key)
    form = ReasonForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        holder: dict = {}

        def run():
            holder["change"] = operations.unpublish(current_user, kind, key, form.reason.data or "")

        if form.validate_on_submit() and perform(
            run, _("撤下申请已提交：另一位编辑审核后，公众就看不到这一条目。"), form=form
        ):
            return redirect(url_for("editorial.change", change_id=holder["change"].id))
        status = 400
    else:
        status = 200
    return render_template(
        "editorial/unpublish.html", kind=kind, kind_label=KIND_LABELS[kind], item=obj, form=form
    ), status
