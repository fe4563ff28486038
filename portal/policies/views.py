"""Policy guide pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from portal.catalog.models import Unit
from portal.core.pages import list_page
from portal.extensions import db
from portal.policies import services

bp = Blueprint("policies", __name__)


@bp.get("/policies/")
def index():
    return list_page(services.LISTING, "policies/list.html")


@bp.get("/policies/<slug>")
def detail(slug: str):
    policy = services.get(slug)
    units = list(db.session.scalars(sa.select(Unit).where(Unit.code.in_(policy.units or [])).order_by(Unit.code)))
    return render_template(
        "policies/detail.html", item=policy, body_html=services.render_markdown(policy.body), units=units
    )
