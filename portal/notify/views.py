"""The message centre (站内消息) of every role, and the SMS settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core import panels
from portal.core.access import require
from portal.notify import inbox, preferences

bp = Blueprint("notify", __name__)


def _page() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 6 and int(value) > 0 else 1


@bp.get("/messages/")
@login_required
def index():
    require(current_user, "inbox.use")
    unread_only = request.args.get("unread") == "1"
    page = _page()
    rows, more = inbox.page_of(current_user.id, page, unread_only)
    return render_template("notify/inbox.html", rows=rows, more=more, page=page, unread_only=unread_only)


@bp.get("/messages/<int:message_id>")
@login_required
def message(message_id: int):
    row = inbox.message_for(current_user, message_id)
    return render_template("notify/message.html", message=row, panels=panels.render("inbox.message", row, current_user))


@bp.post("/messages/<int:message_id>/open")
@login_required
def open_message(message_id: int):
    """Opening a message from the list marks it read (a GET never writes), then shows it."""
    row = inbox.message_for(current_user, message_id)
    inbox.mark_read(current_user, row)
    if request.form.get("go") == "link" and row.link and row.link.startswith("/") and not row.link.startswith("//"):
        return redirect(row.link)
    return redirect(url_for("notify.message", message_id=row.id))


@bp.post("/messages/read-all")
@login_required
def read_all():
    require(current_user, "inbox.use")
    count = inbox.mark_all_read(current_user)
    flash(_("已将 %(n)s 条消息标为已读。", n=count), "success")
    return redirect(url_for("notify.index"))


@bp.route("/messages/settings", methods=["GET", "POST"])
@login_required
def settings():
    require(current_user, "inbox.use")
    topics = preferences.topics_for(current_user)
    if not topics:
        abort(404)
    if request.method == "POST":
        preferences.save(current_user, set(request.form.getlist("sms")))
        flash(_("短信提醒设置已保存。"), "success")
        return redirect(url_for("notify.settings"))
    return render_template("notify/settings.html", topics=topics, chosen=preferences.settings_of(current_user.id))
