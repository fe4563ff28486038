"""创业导师乡村行: mentors book visits to townships, parks and enterprises; entrepreneurs sign up."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core import panels
    from portal.visits import access, states  # noqa: F401  (access registers the area's rules)
    from portal.visits.cli import visits_cli
    from portal.visits.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(visits_cli)
    panels.register("application.applicant", _offers_panel)
    panels.register("queue_item.staff", _offer_form_panel)
    panels.register("mentor.public", _mentor_visits_panel)
    app.jinja_env.globals["visit_status"] = states.VISIT.label


def _offers_panel(application, _user):
    """On a mentoring applicant's page: the visit seats staff offered, to accept or decline."""
    from portal.visits.queries import offers_for

    if application.type != "mentoring":
        return None
    offers = [o for o in offers_for(application.id) if o.status == "offered"]
    return ("visits/_offers_panel.html", {"offers": offers}) if offers else None


def _offer_form_panel(item, user):
    """On a mentoring application's queue item: the seats offered so far and, where the item may be decided,
    the form to offer a seat on a visit that has places."""
    from portal.core.access import can
    from portal.visits.queries import offers_for, open_for_offers

    application = item.application
    if application.type != "mentoring" or item.role != "lead":
        return None
    visits = open_for_offers() if can(user, "queue_item.decide", item) else []
    return "visits/_offer_form_panel.html", {"offers": offers_for(application.id), "offer_visits": visits}


def _mentor_visits_panel(mentor, _user):
    """On a mentor's directory page: their upcoming visits and the units that organise them."""
    from portal.visits.queries import organising_units, upcoming_for_mentor

    if not mentor.accepts_visits:
        return None
    visits = upcoming_for_mentor(mentor)
    return "visits/_mentor_public_panel.html", {"visits": visits, "units": organising_units(mentor, visits)}
