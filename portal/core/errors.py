"""Friendly error pages (and JSON errors under /api/): never a stack trace to a user."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from portal.db import WRITE_METHODS
from portal.errors import PortalError
from portal.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("请求有误"), _("提交的内容无法处理，请返回上一页检查后重试。")),
        403: (_("无权访问"), _("您没有访问这个页面的权限。")),
        404: (_("页面不存在"), _("您要找的页面不存在，可能已经移动或删除。")),
        405: (_("请求方式不对"), _("这个页面不接受这种请求。")),
        409: (_("操作冲突"), _("这项操作与当前状态不符，请刷新后重试。")),
        413: (_("文件太大"), _("上传的内容超过了大小限制。")),
        429: (_("操作太频繁"), _("请稍等几分钟再试。")),
        500: (_("服务暂时出错"), _("系统出了点问题，我们已经记录下来。请稍后再试。")),
    }


def render_error(status: int, message: str | None = None):
    title, default_text = _titles().get(status, _titles()[500] if status >= 500 else _titles()[400])
    if _wants_json():
        return jsonify(error={"status": status, "title": title, "message": message or default_text}), status
    try:
        return render_template("errors/error.html", status=status, title=title, message=message or default_text), status
    except Exception:
        # The error page itself failed (e.g. the database is down): answer with plain, safe text.
        current_app.logger.exception("error page failed to render")
        body = f"<!doctype html><meta charset=utf-8><title>{escape(title)}</title><h1>{escape(title)}</h1>"
        return Response(body, status=status, mimetype="text/html"), status


def _discard() -> None:
    """An error page never commits what a writing request had started (see portal.core.transaction)."""
    if request.method in WRITE_METHODS:
        db.session.rollback()


def init_app(app: Flask) -> None:
    @app.errorhandler(PortalError)
    def portal_error(exc: PortalError):
        _discard()
        return render_error(exc.status, exc.message or None)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        _discard()
        return render_error(400, _("页面已过期，或者无法确认是从本站提交的。请返回上一页，刷新后再提交。"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        _discard()
        from portal.core.guard import GuardRefusal

        body, status = render_error(exc.code or 500, exc.description if isinstance(exc, GuardRefusal) else None)
        response = make_response(body, status)
        # Headers the exception carries for the client: `Allow` on a 405, `Retry-After` on a 429 or 503.
        for name, value in exc.get_headers():
            if name.lower() in ("allow", "retry-after"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        _discard()
        return render_error(500)
