"""Pages of 创业导师乡村行: the public calendar, sign-up, the mentor's desk, confirmation by staff, the feed."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from portal.catalog import vocab
from portal.catalog.models import IncubationBase, Park
from portal.catalog.services import all_counties, find_county
from portal.core.actions import perform
from portal.core.guard import ascii_int, parse_month
from portal.errors import NotFound, PortalError
from portal.extensions import db
from portal.visits import services
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
    month = month or services.local_now().date().replace(day=1)
    visits = services.upcoming(county.id if county else None, topic, month if view == "month" else None)
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
    visit = services.public_visit(visit_id)
    mine = services.signup_of(current_user, visit) if current_user.is_authenticated else None
    waiting = [s for s in visit.signups if s.status == "waiting"]
    return render_template("visits/detail.html", visit=visit, mine=mine, waiting=waiting)


def _act(visit_id: int, action, done: str):
    perform(action, done)
    return redirect(url_for("visits.detail", visit_id=visit_id))


@bp.post("/visits/<int:visit_id>/signup")
@login_required
def signup(visit_id: int):
    def go():
        result = services.sign_up(current_user, visit_id)
        if result.status == "waiting":
            flash(_("名额已满，您已进入候补名单，有人退出会自动递补并通知您。"), "info")

    return _act(visit_id, go, _("报名已提交。"))


@bp.post("/visits/<int:visit_id>/cancel-signup")
@login_required
def cancel_signup(visit_id: int):
    return _act(visit_id, lambda: services.cancel_signup(current_user, visit_id), _("已取消报名。"))


@bp.post("/visits/<int:visit_id>/rate")
@login_required
def rate(visit_id: int):
    try:
        rating = int(request.form.get("rating", "0"))
    except ValueError:
        rating = 0
    return _act(
        visit_id,
        lambda: services.rate(current_user, visit_id, rating, request.form.get("comment", "")),
        _("谢谢您的评价。"),
    )


# ---------------------------------------------------------------- the mentor's desk


def _visit_form(formdata=None, obj=None) -> VisitForm:
    form = VisitForm(formdata=formdata) if formdata is not None else VisitForm(obj=obj)
    parks = db.session.scalars(sa.select(Park).options(selectinload(Park.county)).order_by(Park.name)).all()
    bases = db.session.scalars(
        sa.select(IncubationBase).options(selectinload(IncubationBase.county)).order_by(IncubationBase.name)
    ).all()
    form.set_choices(all_counties(), parks, bases)
    return form


def _input(form: VisitForm) -> services.VisitInput:
    kind, _sep, slug = (form.place_slug.data or "").partition(":")
    dest = form.dest_kind.data or ""
    if dest in ("park", "base") and kind and kind != dest:
        dest = kind  # the chosen place says what it is
    return services.VisitInput(
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


def _run_form(form: VisitForm, action):
    """Run a booking change: field problems go next to their fields, others are flashed. None when refused."""
    try:
        result = action()
    except services.VisitErrors as exc:
        db.session.rollback()
        for name, message in exc.errors.items():
            form[name].errors = [message]
        return None
    except PortalError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return None
    db.session.commit()
    return result


def _change_visit(visit_id: int, action: str | None, form: VisitForm) -> str:
    """Cancel, file the record, or move one of the mentor's visits; returns what to tell the mentor."""
    if action == "cancel":
        services.cancel(current_user, visit_id, request.form.get("reason", ""))
        return _("走访已取消，已通知报名的人。")
    if action == "record":
        attended = [n for n in map(ascii_int, request.form.getlist("attended")) if n is not None]
        walk_ins = ascii_int(request.form.get("walk_ins") or "0")
        walk_ins = -1 if walk_ins is None else walk_ins  # "²" or "５" is not a count: the service says so
        services.file_record(
            current_user,
            visit_id,
            attended,
            walk_ins,
            request.form.get("topics_covered", ""),
            request.form.get("follow_up", ""),
        )
        return _("辅导记录已保存。")
    services.move(current_user, visit_id, _input(form))
    return _("时间已修改，已通知报名的人。")


@bp.route("/mentor/visits", methods=["GET", "POST"])
@login_required
def mentor_desk():
    mentor = services.mentor_of(current_user)
    form = _visit_form(request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        visit = _run_form(form, lambda: services.book(current_user, _input(form)))
        if visit is None:
            status = 400
        else:
            flash(_("预约已提交，等%(unit)s确认后发布。", unit=visit.confirm_unit.name), "success")
            return redirect(url_for("visits.mentor_desk"))
    elif request.method == "POST":
        status = 400
    visits = db.session.scalars(
        sa.select(services.Visit)
        .where(services.Visit.mentor_id == mentor.id)
        .order_by(services.Visit.day.desc(), services.Visit.start_time)
    ).all()
    token = services.calendar_token(current_user)
    db.session.commit()
    feed = url_for("visits.feed", token=token, _external=True)
    return render_template(
        "visits/mentor.html", form=form, visits=visits, mentor=mentor, feed=feed, kinds=DEST_KINDS
    ), status


@bp.route("/mentor/visits/<int:visit_id>", methods=["GET", "POST"])
@login_required
def mentor_visit(visit_id: int):
    visit = services.own_visit(current_user, visit_id)
    form = _visit_form(request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.day.data, form.start.data, form.end.data = visit.day, visit.start_time, visit.end_time
        form.capacity.data = visit.capacity
    status = 200
    # Only some of the form's fields are posted here (time, or a reason); CSRF is checked for every POST anyway.
    if request.method == "POST":
        done = _run_form(form, lambda: _change_visit(visit_id, request.form.get("action"), form))
        if done is None:
            status = 400
        else:
            flash(done, "success")
            return redirect(url_for("visits.mentor_visit", visit_id=visit_id))
    visit = services.own_visit(current_user, visit_id)
    return render_template(
        "visits/mentor_visit.html",
        visit=visit,
        form=form,
        can_record=visit.status == "confirmed" and services.local_now().date() >= visit.day,
    ), status


@bp.get("/mentor/calendar/<token>.ics")
def feed(token: str):
    return Response(
        services.ical_for_token(token),
        mimetype="text/calendar",
        headers={"Content-Disposition": "inline; filename=visits.ics", "Cache-Control": "no-store"},
    )


# ---------------------------------------------------------------- confirmation by staff


@bp.get("/staff/visits")
@login_required
def staff_pending():
    if current_user.role != "staff":
        raise NotFound()
    return render_template("visits/staff.html", visits=services.pending_for(current_user))


@bp.post("/staff/visits/<int:visit_id>/decide")
@login_required
def staff_decide(visit_id: int):
    confirm = request.form.get("decision") == "confirm"
    perform(
        lambda: services.decide(current_user, visit_id, confirm, request.form.get("note", "")),
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
    perform(lambda: services.offer_seat(current_user, item_id, visit_id), _("已把乡村行安排发给申请人。"))
    return redirect(url_for("queues.item", item_id=item_id))


@bp.post("/my/applications/<tracking_no>/offers/<int:offer_id>")
@login_required
def respond(tracking_no: str, offer_id: int):
    accept = request.form.get("answer") == "accept"
    perform(
        lambda: services.respond_offer(current_user, tracking_no, offer_id, accept),
        _("已确认参加，报名成功。") if accept else _("已谢绝这次安排。"),
    )
    return redirect(url_for("applications.detail", tracking_no=tracking_no))
