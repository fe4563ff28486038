"""Account pages: register, log in and out, change or reset the password."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import services, throttle
from portal.accounts.forms import LoginForm, PasswordChangeForm, RegisterForm, ResetForm, SendCodeForm
from portal.core.crypto import keyed_hash
from portal.core.web import safe_next
from portal.errors import InvalidInput
from portal.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/account")


@bp.after_app_request
def no_store_for_personal_pages(response):
    """Pages shown to a logged-in user, and account pages (they echo the number typed in), may carry personal
    data: no browser or proxy cache may keep them."""
    if request.endpoint != "static" and (request.blueprint == "accounts" or current_user.is_authenticated):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def _account_key() -> str:
    """Rate-limit key for one number: a keyed hash of the normalised number (no phone numbers in Redis or in
    the limiter's log lines), so that １３８… and 138… share one limit."""
    return "acct:" + keyed_hash(services.normalize_phone(request.form.get("phone", "")))


def _failed(response) -> bool:
    # Only failed attempts count: a successful login redirects.
    return response.status_code != 302


def _not_sending_code() -> bool:
    return request.form.get("action") != "send_code"


def _sending_code() -> bool:
    return request.form.get("action") == "send_code"


@bp.route("/login", methods=["GET", "POST"])
# Per client address (the real one behind the proxy): failed attempts only, so that many people behind one
# address can still log in. Per number: the growing pause of portal/accounts/throttle.py.
@limiter.limit("20/minute;200/hour", methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("home.index")))
    form = LoginForm()
    if form.validate_on_submit():
        wait = throttle.begin(form.phone.data)
        if wait is not None:
            form.password.errors.append(
                _(
                    "操作太频繁：这个手机号最近登录失败多次，请 %(wait)s后再试。忘记密码可以用短信验证码重设。",
                    wait=format_timedelta(timedelta(seconds=wait), threshold=1),
                )
            )
            response = make_response(render_template("accounts/login.html", form=form), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = services.authenticate(form.phone.data, form.password.data)
        if user is None:
            throttle.failed(form.phone.data)
            form.password.errors.append(_("手机号或密码不对。"))
        else:
            throttle.clear(form.phone.data)
            session.clear()  # a fresh session on login: nothing carried over from before
            session.permanent = True
            login_user(user, remember=form.remember.data)
            flash(_("欢迎您，%(name)s。", name=user.name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("home.index")))
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
@login_required
def logout():
    # Every session of this user ends, here and on other devices (and any copied session or remember-me cookie).
    services.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("您已安全退出。"), "success")
    return redirect(url_for("home.index"))


def _send_code(phone_form, purpose: str) -> bool:
    if not phone_form.validate():
        return False
    services.send_code(phone_form.phone.data, purpose)
    flash(_("验证码已发送到 %(phone)s，10 分钟内有效。", phone=phone_form.phone.data), "success")
    return True


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("30/hour", methods=["POST"], exempt_when=_not_sending_code)  # codes sent from one address
@limiter.limit("1/minute;6/hour", key_func=_account_key, methods=["POST"], exempt_when=_not_sending_code)
# Failed registrations (wrong code, bad fields) from one address.
@limiter.limit("20/minute;100/hour", methods=["POST"], exempt_when=_sending_code, deduct_when=_failed)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    status = 200
    if request.method == "POST":
        if request.form.get("action") == "send_code":
            code_form = SendCodeForm()
            if not _send_code(code_form, "register"):
                form.phone.errors = list(code_form.phone.errors or code_form.errors.get("csrf_token", []))
                status = 400
        elif form.validate_on_submit():
            try:
                user = services.register(form.phone.data, form.name.data, form.password.data, form.code.data)
            except InvalidInput as exc:
                getattr(form, exc.details.get("field", "code")).errors.append(exc.message)
                status = 400
            else:
                session.clear()
                session.permanent = True
                login_user(user)
                flash(_("注册成功，欢迎您，%(name)s。", name=user.name), "success")
                return redirect(safe_next(request.args.get("next"), url_for("home.index")))
        else:
            status = 400
    return render_template("accounts/register.html", form=form), status


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except InvalidInput as exc:
            getattr(form, exc.details.get("field", "current")).errors.append(exc.message)
        else:
            login_user(current_user)  # stay logged in here; other sessions end
            flash(_("密码已修改，其他设备上的登录已失效。"), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/password.html", form=form), 200 if request.method == "GET" else 400


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("30/hour", methods=["POST"], exempt_when=_not_sending_code)
@limiter.limit("1/minute;6/hour", key_func=_account_key, methods=["POST"], exempt_when=_not_sending_code)
@limiter.limit("10/hour", key_func=lambda: "reset:" + _account_key(), methods=["POST"], exempt_when=_sending_code)
def reset():
    form = ResetForm()
    status = 200
    if request.method == "POST":
        if request.form.get("action") == "send_code":
            code_form = SendCodeForm()
            if not _send_code(code_form, "reset"):
                form.phone.errors = list(code_form.phone.errors or code_form.errors.get("csrf_token", []))
                status = 400
        elif form.validate_on_submit():
            try:
                services.reset_password(form.phone.data, form.code.data, form.password.data)
            except InvalidInput as exc:
                getattr(form, exc.details.get("field", "code")).errors.append(exc.message)
                status = 400
            else:
                throttle.clear(form.phone.data)  # the SMS code proved the owner: no pause before logging in
                flash(_("密码已重设，请用新密码登录。"), "success")
                return redirect(url_for("accounts.login"))
        else:
            status = 400
    return render_template("accounts/reset.html", form=form), status


@bp.get("/dev/outbox")
def dev_outbox():
    """Development only: the messages that a real SMS gateway would have sent."""
    if not (current_app.debug or current_app.config.get("DEV_OUTBOX_PAGE")):
        abort(404)
    import sqlalchemy as sa

    from portal.notify.models import OutboxMessage

    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(30)).all()
    return render_template("accounts/dev_outbox.html", messages=messages)
