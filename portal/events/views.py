"""Pages of events: the public calendar and feed, one event with registration, the entrepreneur's own events,
and the organiser's desk (the form, publishing, the invitation list, the attendance list at the door, outcomes)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.catalog.services import all_counties, find_county, places
from portal.core import qr
from portal.core.access import require
from portal.core.actions import perform
from portal.core.crypto import mask_phone
from portal.core.guard import ascii_int, parse_month
from portal.events import ical, operations, queries, vocab
from portal.events.forms import EventForm

bp = Blueprint("events", __name__)


def _filters() -> tuple[dict, list[str]]:
    """county, kind, month and past from the query string; unknown values are dropped with a notice."""
    notices, args = [], request.args
    county = find_county(args["county"]) if args.get("county") else None
    if args.get("county") and county is None:
        notices.append(_("没有找到“%(value)s”这个县区，已显示全部。", value=args["county"][:20]))
    kind = args.get("kind") or None
    if kind and kind not in vocab.KINDS:
        notices.append(_("没有“%(value)s”这类活动，已显示全部。", value=kind[:20]))
        kind = None
    month = parse_month(args.get("month"))
    if args.get("month") and month is None:
        notices.append(_("没有“%(value)s”这个月份，已显示近期活动。", value=args["month"][:20]))
    return {"county": county, "kind": kind, "month": month, "past": args.get("when") == "past"}, notices


@bp.get("/events/")
def index():
    chosen, notices = _filters()
    county = chosen["county"]
    events = queries.calendar(county.id if county else None, chosen["kind"], chosen["month"], chosen["past"])
    month = chosen["month"]
    prev_month = next_month = None
    if month:
        prev_month = (month.replace(day=1) - month.resolution).replace(day=1)
        next_month = (month.replace(day=28) + month.resolution * 7).replace(day=1)
    return render_template(
        "events/index.html",
        events=events,
        notices=notices,
        counties=all_counties(),
        kinds=vocab.KINDS,
        prev_month=prev_month,
        next_month=next_month,
        this_month=queries.local_now().date().replace(day=1),
        **chosen,
    )


@bp.get("/events/feed.ics")
def feed():
    chosen, _notices = _filters()
    county = chosen["county"]
    return Response(
        ical.feed(queries.feed_events(county.id if county else None, chosen["kind"])),
        mimetype="text/calendar",
        headers={"Content-Disposition": "inline; filename=events.ics", "Cache-Control": "max-age=300"},
    )


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    event = queries.visible(current_user, event_id)
    mine = queries.registration_of(current_user, event)
    ticket = None
    if mine is not None and mine.status == "registered" and mine.code and event.status == "published":
        door = url_for("events.door", event_id=event.id, q=mine.code, _external=True)
        ticket = qr.svg(door, _("报名码 %(code)s", code=mine.code))
    return render_template(
        "events/detail.html",
        event=event,
        mine=mine,
        ticket=ticket,
        invitation=queries.invitation_of(current_user, event),
        started=queries.has_started(event),
        closed=queries.deadline_passed(event),
    )


@bp.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    event = queries.visible(None, event_id)
    return Response(
        ical.feed([event]),
        mimetype="text/calendar",
        headers={"Content-Disposition": f"attachment; filename=event-{event.id}.ics"},
    )


def _back(event_id: int):
    return redirect(url_for("events.detail", event_id=event_id))


@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    def go():
        registration = operations.register(current_user, event_id)
        if registration.status == "waiting":
            flash(_("名额已满，您已进入候补名单，有人退出会自动递补并短信通知您。"), "info")
            return None
        return _("报名成功。")

    perform(go, lambda message: message)
    return _back(event_id)


@bp.post("/events/<int:event_id>/cancel-registration")
@login_required
def cancel_registration(event_id: int):
    perform(lambda: operations.cancel_registration(current_user, event_id), _("已取消报名。"))
    return _back(event_id)


@bp.post("/events/<int:event_id>/ask")
@login_required
def ask(event_id: int):
    perform(
        lambda: operations.ask_invitation(current_user, event_id, request.form.get("project", "")),
        _("申请已提交，主办单位同意后会短信通知您。"),
    )
    return _back(event_id)


@bp.get("/my/events")
@login_required
def mine():
    require(current_user, "event.register")
    return render_template("events/mine.html", registrations=queries.mine(current_user))


# ---------------------------------------------------------------- the organiser


def _form(formdata=None, event=None) -> EventForm:
    form = EventForm(formdata=formdata)
    parks, bases = places()
    # an event's own park or base stays a choice after it was unpublished: the organiser can still save the event
    if event is not None and event.park is not None and event.park not in parks:
        parks.append(event.park)
    if event is not None and event.base is not None and event.base not in bases:
        bases.append(event.base)
    form.set_choices(all_counties(), parks, bases)
    return form


@bp.get("/staff/events")
@login_required
def desk():
    events = queries.for_unit(current_user)
    return render_template(
        "events/desk.html",
        events=events,
        drafts=queries.drafts_for_office(current_user),
        unit=queries.unit_of(current_user),
    )


@bp.route("/staff/events/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "event.create")
    form = _form(request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            made = []
            if perform(
                lambda: made.append(operations.create(current_user, form.to_input())),
                _("草稿已保存。检查无误后点“发布”，大家就能看到并报名。"),
                form=form,
            ):
                return redirect(url_for("events.manage", event_id=made[0].id))
        status = 400
    return render_template("events/form.html", form=form, event=None, unit=queries.unit_of(current_user)), status


@bp.route("/staff/events/<int:event_id>", methods=["GET", "POST"])
@login_required
def manage(event_id: int):
    event = queries.managed(current_user, event_id)
    form = _form(request.form if request.method == "POST" else None, event)
    status = 200
    if request.method == "GET":
        form.fill_from(event, queries.to_local)
    elif form.validate_on_submit():
        if perform(lambda: operations.update(current_user, event_id, form.to_input()), _("活动已修改。"), form=form):
            return redirect(url_for("events.manage", event_id=event_id))
        status = 400
    else:
        status = 400
    event = queries.managed(current_user, event_id)
    return render_template(
        "events/manage.html",
        event=event,
        form=form,
        unit=event.unit,
        waiting=queries.waiting_list(event),
        invitations=queries.invitations(event) if event.audience == "invited" else [],
        started=queries.has_started(event),
        editable=event.status in ("draft", "published") and not queries.has_started(event),
        mask_phone=mask_phone,
    ), status


@bp.post("/staff/events/<int:event_id>/publish")
@login_required
def publish(event_id: int):
    perform(lambda: operations.publish(current_user, event_id), _("活动已发布，公开日历上能看到了。"))
    return redirect(url_for("events.manage", event_id=event_id))


@bp.post("/staff/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    perform(
        lambda: operations.cancel(current_user, event_id, request.form.get("reason", "")),
        lambda told: _("活动已取消，已短信通知报名和候补的 %(n)s 人。", n=told) if told else _("活动已取消。"),
    )
    return redirect(url_for("events.manage", event_id=event_id))


@bp.post("/staff/events/<int:event_id>/invite")
@login_required
def invite(event_id: int):
    invitation_id = ascii_int(request.form.get("invitation")) if request.form.get("invitation") else None
    perform(
        lambda: operations.invite(current_user, event_id, request.form.get("phone", ""), invitation_id),
        _("已加入邀请名单。"),
    )
    return redirect(url_for("events.manage", event_id=event_id) + "#invitations")


@bp.post("/staff/events/<int:event_id>/outcomes")
@login_required
def outcomes(event_id: int):
    form = request.form
    perform(
        lambda: operations.record_outcomes(
            current_user, event_id, form.get("deals", ""), form.get("amount_wan", ""), form.get("summary", "")
        ),
        _("活动成果已保存，并在活动页面公开。"),
    )
    return redirect(url_for("events.manage", event_id=event_id) + "#outcomes")


@bp.get("/staff/events/<int:event_id>/door")
@login_required
def door(event_id: int):
    event = queries.managed(current_user, event_id)
    q = (request.args.get("q") or "").strip()[:40]
    rows = queries.attendance_list(event, q)
    present = sum(1 for r in event.registrations if r.checked_in_at is not None)
    return render_template("events/door.html", event=event, rows=rows, q=q, present=present, mask_phone=mask_phone)


@bp.post("/staff/events/<int:event_id>/door/<int:registration_id>")
@login_required
def check_in(event_id: int, registration_id: int):
    undo = request.form.get("undo") == "1"

    def done(registration) -> str:
        name = registration.user.name
        return _("已撤销 %(name)s 的签到。", name=name) if undo else _("%(name)s 已签到。", name=name)

    perform(lambda: operations.check_in(current_user, event_id, registration_id, undo), done)
    q = (request.form.get("q") or "").strip()[:40]
    return redirect(url_for("events.door", event_id=event_id, q=q or None))
