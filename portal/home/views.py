"""The home page: the newest policy guides and what the catalog holds, composed from those areas."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.catalog import services as catalog
from portal.policies import services as policies

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home/index.html", latest_policies=policies.latest(5), counts=catalog.counts())
