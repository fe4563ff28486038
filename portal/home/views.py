"""The home page: the newest policy guides, what the catalog holds and the latest success stories, composed from
those areas."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.catalog import services as catalog
from portal.policies import services as policies
from portal.stories import queries as stories

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template(
        "home/index.html",
        latest_policies=policies.latest(5),
        counts=catalog.counts(),
        latest_stories=stories.latest(3),
    )
