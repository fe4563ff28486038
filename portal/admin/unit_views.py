"""The units' pages of the back office: /admin/units (list), new, edit (with optimistic locking), remove."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.admin import queries, units
from portal.admin.errors import EditConflict
from portal.admin.forms import UnitForm
from portal.admin.views import bp
from portal.catalog import vocab
from portal.core.actions import perform
from portal.core.guard import ascii_int
from portal.core.i18n import local_name


@bp.get("/units")
@login_required
def unit_list():
    rows, load = queries.units(), queries.unit_load()
    return render_template("admin/units.html", units=rows, counts={u.id: load.get(u.id, (0, 0)) for u in rows})


def _form(row=None, formdata=None) -> UnitForm:
    if formdata is None and row is not None:
        form = UnitForm(formdata=None, data={**units.snapshot(row), "version": str(row.version)})
    else:
        form = UnitForm()
    form.level.choices = [("", _("请选择")), *[(k, str(v)) for k, v in vocab.UNIT_LEVELS.items()]]
    form.dept.choices = [("", _("请选择")), *[(k, str(v)) for k, v in vocab.DEPTS.items()]]
    form.county.choices = [("", _("（市级单位不填）"))] + [(c.code, local_name(c)) for c in queries.counties()]
    parents = [u for u in queries.units() if row is None or u.id != row.id]
    form.parent.choices = [("", _("无"))] + [(u.code, f"{local_name(u)}（{u.code}）") for u in parents]
    form.duties.choices = [(str(i["number"]), f"{i['number']}. {i.get('title', '')}") for i in units.work_items()]
    return form


def _input(form: UnitForm, code: str) -> units.UnitInput:
    return units.UnitInput(
        code=code,
        **{name: form[name].data or "" for name in units.FIELDS if name != "duties"},
        duties=list(form.duties.data or []),
    )


@bp.route("/units/new", methods=["GET", "POST"])
@login_required
def unit_new():
    form = _form(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit() and perform(
        lambda: units.create(current_user, _input(form, form.code.data.strip())),
        lambda row: _("已添加单位：%(name)s", name=row.name),
        form,
    ):
        return redirect(url_for("admin.unit_list"))
    return render_template("admin/unit_form.html", form=form, row=None), 400 if request.method == "POST" else 200


@bp.route("/units/<code>/edit", methods=["GET", "POST"])
@login_required
def unit_edit(code: str):
    row = units.unit(current_user, code)
    if request.method == "GET":
        return render_template("admin/unit_form.html", form=_form(row), row=row, counts=_counts(row))
    form = _form(row, formdata=request.form)
    form.code.data = row.code  # the code is stable: an edit never changes it
    theirs: dict = {}

    def save():
        try:
            return units.update(current_user, code, _input(form, row.code), ascii_int(form.version.data, 0))
        except EditConflict as exc:
            theirs.update(exc.current)
            raise

    if form.validate_on_submit() and perform(save, _("已保存：%(name)s", name=form.name.data), form):
        return redirect(url_for("admin.unit_list"))
    if theirs:
        form.version.data = str(theirs["version"])  # saving again now is a knowing overwrite of what is shown
    status = 409 if theirs else 400
    return render_template("admin/unit_form.html", form=form, row=row, theirs=theirs, counts=_counts(row)), status


def _counts(row) -> tuple[int, int]:
    return queries.open_items(row.id), queries.active_staff(row.id)


@bp.post("/units/<code>/remove")
@login_required
def unit_remove(code: str):
    if perform(lambda: units.remove(current_user, code), lambda name: _("已删除单位：%(name)s", name=name)):
        return redirect(url_for("admin.unit_list"))
    return redirect(url_for("admin.unit_edit", code=code))
