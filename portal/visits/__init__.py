"""创业导师乡村行: mentors book visits to townships, parks and enterprises; entrepreneurs sign up."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import sqlalchemy as sa

    from portal.core import cache, panels
    from portal.visits import access, digest, states  # noqa: F401  (access registers the area's rules)
    from portal.visits.cli import visits_cli
    from portal.visits.models import VisitSignup
    from portal.visits.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(visits_cli)
    digest.init_app(app)
    panels.register("application.applicant", _offers_panel)
    panels.register("queue_item.staff", _offer_form_panel)
    panels.register("mentor.public", _mentor_visits_panel)
    panels.register("mentor.public", _mentor_ratings_panel)
    # the mentor's public page shows the average rating: a new rating renews anonymous visitors' cached pages
    cache.generation_source("visits.ratings", lambda: sa.select(sa.func.max(VisitSignup.rated_at)).scalar_subquery())
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


def _mentor_ratings_panel(mentor, _user):
    """On the mentor's directory page: the average rating of their visits, from enough ratings (anonymity)."""
    from flask import current_app

    from portal.visits.queries import rating_summary

    rated, average = rating_summary(mentor_id=mentor.id)
    if rated < current_app.config.get("RATINGS_PUBLIC_MIN", 5):
        return None
    return "visits/_mentor_ratings.html", {"rated": rated, "average": average}
