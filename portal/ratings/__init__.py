"""好差评 (国办发〔2019〕51号): applicants rate decided applications; poor ratings are followed up (整改) by the
handling unit's lead; units, the office and the public (anonymised, from enough ratings) see the results."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core import cache, panels
    from portal.notify import digest
    from portal.ratings import access, states  # noqa: F401  (access registers the area's rules)
    from portal.ratings.models import Rating
    from portal.ratings.views import bp

    app.register_blueprint(bp)
    from portal.core import tally
    from portal.ratings.operations import source_ratings

    tally.register("ratings", source_ratings)
    panels.register("application.applicant", _rating_panel)
    panels.register("unit.public", _public_panel)
    digest.register("follow_ups", _follow_ups_section)
    # public unit pages show the ratings: a new or changed rating renews anonymous visitors' cached pages
    cache.generation_source("ratings", lambda: sa.select(sa.func.max(Rating.updated_at)).scalar_subquery())
    from portal.audit import scrub

    app.jinja_env.filters["scrub_numbers"] = scrub  # personal numbers typed into a public comment are masked
    app.jinja_env.globals["rating_level"] = lambda value: str(_levels().get(value, value or ""))


def _levels():
    from portal.ratings.vocab import LEVELS

    return LEVELS


def _rating_panel(application, user):
    """On the applicant's page of a decided application: the rating form, or one's rating, its follow-up and the
    form to change it within the period."""
    from portal.core.access import can
    from portal.db import utcnow
    from portal.ratings import queries
    from portal.ratings.operations import aware
    from portal.ratings.vocab import LEVELS, REASONS

    if not can(user, "application.rate", application):
        return None
    rating = queries.of_application(application.id)
    changeable = rating is not None and utcnow() <= aware(rating.changeable_until)
    return "ratings/_panel.html", {
        "application": application,
        "rating": rating,
        "changeable": changeable,
        "levels": LEVELS,
        "reasons": REASONS,
    }


def _public_panel(unit, _user):
    from portal.ratings import queries
    from portal.ratings.vocab import LEVELS

    found = queries.public_summary(unit.id)
    if found is None:
        return None
    summary, recent = found
    return "ratings/_public.html", {"summary": summary, "recent": recent, "levels": LEVELS}


def _follow_ups_section(user, _since, _day):
    from portal.notify.digest import Line
    from portal.ratings import queries

    return [
        Line(f.rating.application.tracking_no or "", f"/staff/ratings/follow-ups/{f.id}", f.due_date.isoformat())
        for f in queries.open_follow_ups(user.unit_id)
    ]
