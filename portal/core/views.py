"""Language switch, privacy notice, about page and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext as _

from portal.core.i18n import LANG_COOKIE
from portal.core.web import safe_next
from portal.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/lang/<code>")
def set_language(code: str):
    response = make_response(redirect(safe_next(request.args.get("next"))))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@bp.get("/privacy")
def privacy():
    return render_template("core/privacy.html")


@bp.get("/about")
def about():
    return render_template("core/about.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(db.text("SELECT 1"))
    except Exception:  # the check must answer, not raise
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="error", detail=_("数据库无法连接")), 503
    return jsonify(status="ok")
