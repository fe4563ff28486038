"""Pages of 创业导师乡村行: the public calendar, sign-up, the mentor's desk, confirmation by staff, the feed."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.catalog import vocab
from portal.catalog.services import all_counties, find_county, places
from portal.core.access import can
from portal.core.actions import perform
from portal.core.guard import ascii_int, parse_month
from portal.visits import ical, operations, queries
from portal.visits.booking import VisitInput
from portal.visits.forms import DEST_KINDS, VisitForm

bp = Blueprint("visits", __name__)


def _month(raw: str | None) -> date | None:
    return parse_month(raw)  # None for anything but a real month (9999-12 and 0001-01 included)


@bp.get("/visits/")
def index():
    notices = []
    county = find_county(request.args["county"]) if request.args.get("county") else None
    if request.args.get("county") and county is None:
        notices.append(_("没有找到“%(value)s”这个县区，已显示全部。", value=request.args["county"][:20]))
    topic = request.args.get("topic") or None
    if topic and topic not in vocab.EXPERTISE:
        notices.append(_("没有“%(value)s”这个主题，已显示全部。", value=topic[:20]))
        topic = None
    view = "month" if request.args.get("view") == "month" else "list"
    month = _month(request.args.get("month"))
    if request.args.get("month") and month is None:
        notices.append(_("没有“%(value)s”这个月份，已显示本月。", value=request.args["month"][:20]))
    month = month or queries.local_now().date().replace(day=1)
    visits = queries.upcoming(county.id if county else None, topic, month if view == "month" else None)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    by_day: dict[date, list] = {}
    for visit in visits:
        by_day.setdefault(visit.day, []).append(visit)
    prev_month = (month.replace(day=1) - date.resolution * 1).replace(day=1)
    next_month = (month.replace(day=28) + date.resolution * 7).replace(day=1)
    return render_template(
        "visits/index.html",
        visits=visits,
        notices=notices,
        county=county,
        topic=topic,
        view=view,
        month=month,
        weeks=weeks,
        by_day=by_day,
        counties=all_counties(),
        prev_month=prev_month,
        next_month=next_month,
    )


@bp.get("/visits/<int:visit_id>")
def detail(visit_id: int):
    visit = queries.public_visit(visit_id)
    mine = queries.signup_of(current_user, visit) if current_user.is_authenticated else None
    waiting = [s for s in visit.signups if s.status == "waiting"]
    rated, average = queries.rating_summary(visit_id=visit.id)
    # the aggregate only from enough ratings (anonymity); the mentor of the visit sees it from the first
    show = rated >= current_app.config.get("RATINGS_PUBLIC_MIN", 5) or (
        rated and can(current_user, "visit.manage", visit)
    )
    return render_template(
        "visits/detail.html", visit=visit, mine=mine, waiting=waiting, rated=rated if show else 0, average=average
    )


def _act(visit_id: int, action, done: str):
    perform(action, done)
    return redirect(url_for("visits.detail", visit_id=visit_id))


@bp.post("/visits/<int:visit_id>/signup")
@login_required
def signup(visit_id: int):
    def go():
        result = operations.sign_up(current_user, visit_id)
        if result.status == "waiting":
            flash(_("名额已满，您已进入候补名单，有人退出会自动递补并通知您。"), "info")

    return _act(visit_id, go, _("报名已提交。"))


@bp.post("/visits/<int:visit_id>/cancel-signup")
@login_required
def cancel_signup(visit_id: int):
    return _act(visit_id, lambda: operations.cancel_signup(current_user, visit_id), _("已取消报名。"))


@bp.post("/visits/<int:visit_id>/rate")
@login_required
def rate(visit_id: int):
    try:
        rating = int(request.form.get("rating", "0"))
    except ValueError:
        rating = 0
    return _act(
        visit_id,
        lambda: operations.rate(current_user, visit_id, rating, request.form.get("comment", "")),
        _("谢谢您的评价。"),
    )


# ---------------------------------------------------------------- the mentor's desk


def _visit_form(formdata=None, obj=None) -> VisitForm:
    form = VisitForm(formdata=formdata) if formdata is not None else VisitForm(obj=obj)
    parks, bases = places()
    form.set_choices(all_counties(), parks, bases)
    return form


def _input(form: VisitForm) -> VisitInput:
    kind, _sep, slug = (form.place_slug.data or "").partition(":")
    dest = form.dest_kind.data or ""
    if dest in ("park", "base") and kind and kind != dest:
        dest = kind  # the chosen place says what it is
    return VisitInput(
        dest_kind=dest,
        county=form.county.data or "",
        township=form.township.data or "",
        place_slug=slug,
        enterprise_name=form.enterprise_name.data or "",
        address=form.address.data or "",
        day=form.day.data,
        start=form.start.data,
        end=form.end.data,
        topics=form.topics.data or [],
        capacity=form.capacity.data,
        note=form.note.data or "",
    )


def _change_visit(visit_id: int, action: str | None, form: VisitForm) -> str:
    """Cancel, file the record, or move one of the mentor's visits; returns what to tell the mentor."""
    if action == "cancel":
        operations.cancel(current_user, visit_id, request.form.get("reason", ""))
        return _("走访已取消，已通知报名的人。")
    if action == "record":
        attended = [n for n in map(ascii_int, request.form.getlist("attended")) if n is not None]
        walk_ins = ascii_int(request.form.get("walk_ins") or "0")
        walk_ins = -1 if walk_ins is None else walk_ins  # "²" or "５" is not a count: the service says so
        operations.file_record(
            current_user,
            visit_id,
            attended,
            walk_ins,
            request.form.get("topics_covered", ""),
            request.form.get("follow_up", ""),
        )
        return _("辅导记录已保存。")
    operations.move(current_user, visit_id, _input(form))
    return _("时间已修改，已通知报名的人。")


@bp.route("/mentor/visits", methods=["GET", "POST"])
@login_required
def mentor_desk():
    mentor = queries.mentor_of(current_user)
    form = _visit_form(request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        booked = perform(
            lambda: operations.book(current_user, _input(form)),
            lambda visit: _("预约已提交，等%(unit)s确认后发布。", unit=visit.confirm_unit.name),
            form=form,
        )
        if booked:
            return redirect(url_for("visits.mentor_desk"))
        status = 400
    elif request.method == "POST":
        status = 400
    token = current_user.calendar_token
    return render_template(
        "visits/mentor.html",
        form=form,
        visits=queries.mentor_visits(mentor),
        mentor=mentor,
        feed=url_for("visits.feed", token=token, _external=True) if token else None,
        kinds=DEST_KINDS,
    ), status


@bp.post("/mentor/calendar")
@login_required
def renew_feed():
    perform(
        lambda: operations.ensure_calendar_token(current_user, renew=bool(current_user.calendar_token)),
        _("日历订阅地址已生成；旧地址（如有）已失效。"),
    )
    return redirect(url_for("visits.mentor_desk"))


@bp.route("/mentor/visits/<int:visit_id>", methods=["GET", "POST"])
@login_required
def mentor_visit(visit_id: int):
    visit = queries.own_visit(current_user, visit_id)
    form = _visit_form(request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.day.data, form.start.data, form.end.data = visit.day, visit.start_time, visit.end_time
        form.capacity.data = visit.capacity
    status = 200
    # Only some of the form's fields are posted here (time, or a reason); CSRF is checked for every POST anyway.
    if request.method == "POST":
        if perform(lambda: _change_visit(visit_id, request.form.get("action"), form), lambda done: done, form=form):
            return redirect(url_for("visits.mentor_visit", visit_id=visit_id))
        status = 400
    visit = queries.own_visit(current_user, visit_id)
    return render_template(
        "visits/mentor_visit.html",
        visit=visit,
        form=form,
        can_record=visit.status == "confirmed" and queries.local_now().date() >= visit.day,
    ), status


@bp.get("/mentor/calendar/<token>.ics")
def feed(token: str):
    return Response(
        ical.feed(token),
        mimetype="text/calendar",
        headers={"Content-Disposition": "inline; filename=visits.ics", "Cache-Control": "no-store"},
    )


# ---------------------------------------------------------------- confirmation by staff


@bp.get("/staff/visits")
@login_required
def staff_pending():
    return render_template("visits/staff.html", visits=queries.pending_for(current_user))


@bp.post("/staff/visits/<int:visit_id>/decide")
@login_required
def staff_decide(visit_id: int):
    confirm = request.form.get("decision") == "confirm"
    perform(
        lambda: operations.decide(current_user, visit_id, confirm, request.form.get("note", "")),
        _("已确认并发布。") if confirm else _("已退回，导师会收到原因。"),
    )
    return redirect(url_for("visits.staff_pending"))


@bp.post("/staff/items/<int:item_id>/offer")
@login_required
def offer(item_id: int):
    try:
        visit_id = int(request.form.get("visit", "0"))
    except ValueError:
        visit_id = 0
    perform(lambda: operations.offer_seat(current_user, item_id, visit_id), _("已把乡村行安排发给申请人。"))
    return redirect(url_for("queues.item", item_id=item_id))


@bp.post("/my/applications/<tracking_no>/offers/<int:offer_id>")
@login_required
def respond(tracking_no: str, offer_id: int):
    accept = request.form.get("answer") == "accept"
    perform(
        lambda: operations.respond_offer(current_user, tracking_no, offer_id, accept),
        _("已确认参加，报名成功。") if accept else _("已谢绝这次安排。"),
    )
    return redirect(url_for("applications.detail", tracking_no=tracking_no))
