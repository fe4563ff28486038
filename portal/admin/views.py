"""The back office's pages: /admin/ (index), /admin/users (accounts and grants), /admin/units, /admin/audit.
Each view loads, checks access (admins only, 404 for everyone else), calls one operation, renders or redirects."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import audit
from portal.accounts import grants
from portal.accounts.models import ROLES
from portal.admin import auditlog, queries, users
from portal.admin.forms import NEW_ROLES, GrantForm, NewUserForm, UnitChangeForm
from portal.core.access import require
from portal.core.actions import perform
from portal.core.crypto import mask_phone
from portal.core.guard import ascii_int, parse_day
from portal.core.spreadsheet import CSV_MIMETYPE

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    """Every page here answers 404 to anyone but an administrator (anonymous visitors are asked to log in)."""
    if not current_user.is_authenticated:
        return None  # login_required on each view sends them to the login page
    require(current_user, "admin.manage")
    return None


def _page() -> int:
    return ascii_int(request.args.get("page"), 1, 100_000) or 1


def _unit_choices(blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(u.code, f"{u.name}（{u.code}）") for u in queries.units()]
    return [("", blank), *choices] if blank is not None else choices


@bp.get("/")
@login_required
def index():
    return render_template("admin/index.html")


# ---------------------------------------------------------------- accounts


@bp.route("/users", methods=["GET", "POST"])
@login_required
def user_list():
    """Name, role and unit are searched by GET; a phone number only by POST, so that it never stands in a URL
    (address bar, history, server logs)."""
    search = queries.UserSearch.from_args(request.form if request.method == "POST" else request.args)
    page = queries.find_users(search, _page())
    return render_template(
        "admin/users.html",
        search=search,
        page=page,
        roles=ROLES,
        units=_unit_choices(),
        mask_phone=mask_phone,
        page_url=lambda n: url_for("admin.user_list", page=n, **search.in_url),
    )


def _new_user_form() -> NewUserForm:
    form = NewUserForm()
    form.role.choices = [("", _("请选择")), *[(r, str(ROLES[r])) for r in NEW_ROLES]]
    form.unit.choices = _unit_choices(_("不属于单位"))
    form.mentor.choices = [("", _("不是导师"))] + [(m.slug, m.name) for m in users.unlinked_mentors()]
    return form


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_new():
    form = _new_user_form()
    if form.validate_on_submit():
        done = perform(
            lambda: users.create(
                current_user,
                form.role.data,
                form.name.data,
                form.phone.data,
                form.unit.data,
                form.lead.data,
                form.mentor.data,
            ),
            lambda user: _(
                "已创建%(name)s的账号，设置密码的验证码已用短信发到 %(phone)s。",
                name=user.name,
                phone=mask_phone(user.phone),
            ),
            form,
        )
        if done:
            return redirect(url_for("admin.user_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_new.html", form=form), status


def _user_page(user_id: int, unit_form=None, grant_form=None, status: int = 200):
    user = users.account(current_user, user_id)
    unit_form = unit_form or UnitChangeForm(formdata=None, unit=user.unit.code if user.unit else "")
    unit_form.unit.choices = _unit_choices()
    return render_template(
        "admin/user.html",
        user=user,
        phone=mask_phone(user.phone),
        roles=ROLES,
        unit_form=unit_form,
        grant_form=grant_form or GrantForm(formdata=None, expires_on=grants.latest_expiry().isoformat()),
        grants=grants.grants_of(user),
        today=grants.today(),
        latest=grants.latest_expiry(),
    ), status


@bp.get("/users/<int:user_id>")
@login_required
def user_detail(user_id: int):
    return _user_page(user_id)


@bp.post("/users/<int:user_id>/deactivate")
@login_required
def user_deactivate(user_id: int):
    perform(lambda: users.deactivate(current_user, user_id), _("账号已停用，其登录已全部失效。"))
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/reactivate")
@login_required
def user_reactivate(user_id: int):
    perform(lambda: users.reactivate(current_user, user_id), _("账号已恢复使用。"))
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<int:user_id>/unit")
@login_required
def user_unit(user_id: int):
    form = UnitChangeForm()
    form.unit.choices = _unit_choices()
    if form.validate_on_submit() and perform(
        lambda: users.change_unit(current_user, user_id, form.unit.data, form.lead.data), _("单位已调整。"), form
    ):
        return redirect(url_for("admin.user_detail", user_id=user_id))
    return _user_page(user_id, unit_form=form, status=400)


@bp.post("/users/<int:user_id>/grants")
@login_required
def user_grant(user_id: int):
    form = GrantForm()
    if form.validate_on_submit():
        day = parse_day(form.expires_on.data)
        if day is None:
            form.expires_on.errors = [_("请按“年-月-日”填写截止日期，例如 2026-12-31。")]
        elif perform(
            lambda: users.give_grant(current_user, user_id, form.reason.data, day), _("已授权查看完整个人信息。"), form
        ):
            return redirect(url_for("admin.user_detail", user_id=user_id))
    return _user_page(user_id, grant_form=form, status=400)


@bp.post("/users/<int:user_id>/grants/<int:grant_id>/revoke")
@login_required
def user_revoke(user_id: int, grant_id: int):
    perform(lambda: users.revoke_grant(current_user, user_id, grant_id), _("授权已撤销。"))
    return redirect(url_for("admin.user_detail", user_id=user_id))


# ---------------------------------------------------------------- the audit log


@bp.get("/audit")
@login_required
def audit_log():
    filters = queries.AuditFilters.from_args(request.args)
    page = queries.audit_page(filters, _page())
    audit.record_read(current_user, "audit.view", "audit_log", "-", after=filters.active)
    return render_template(
        "admin/audit.html",
        filters=filters,
        page=page,
        names=queries.actor_names(page.items),
        page_url=lambda n: url_for("admin.audit_log", page=n, **filters.active),
        cap=queries.EXPORT_CAP,
        as_text=auditlog.as_text,
    )


@bp.get("/audit/export.csv")
@login_required
def audit_export():
    filters = queries.AuditFilters.from_args(request.args)
    body, count, capped = auditlog.csv_export(filters)
    audit.record_read(
        current_user, "audit.export", "audit_log", "-", after={**filters.active, "rows": count, "capped": capped}
    )
    headers = {"Content-Disposition": "attachment; filename=audit-log.csv"}
    if capped:
        headers["X-Portal-Capped"] = str(queries.EXPORT_CAP)
    return Response(body, mimetype=CSV_MIMETYPE, headers=headers)
