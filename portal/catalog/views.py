"""Public catalog pages: incubation bases, parks, projects, mentors and units."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from portal.catalog import services
from portal.core import panels
from portal.core.pages import list_page

bp = Blueprint("catalog", __name__)


@bp.get("/bases/")
def bases_list():
    return list_page(services.LISTINGS["bases"], "catalog/bases_list.html")


@bp.get("/bases/<slug>")
def bases_detail(slug: str):
    base = services.get_item("bases", slug)
    nearby = services.bases_in_county(base.county_id, exclude_id=base.id)
    shown = panels.render("base.public", base, current_user)
    return render_template("catalog/base_detail.html", item=base, nearby=nearby, panels=shown)


@bp.get("/parks/")
def parks_list():
    return list_page(services.LISTINGS["parks"], "catalog/parks_list.html")


@bp.get("/parks/<slug>")
def parks_detail(slug: str):
    park = services.get_item("parks", slug)
    shown = panels.render("park.public", park, current_user)
    return render_template(
        "catalog/park_detail.html", item=park, projects=services.projects_in_park(park), panels=shown
    )


@bp.get("/projects/")
def projects_list():
    return list_page(services.LISTINGS["projects"], "catalog/projects_list.html")


@bp.get("/projects/<slug>")
def projects_detail(slug: str):
    """A demonstration project; other areas add to it through the `project.public` slot (its project page)."""
    project = services.get_item("projects", slug)
    shown = panels.render("project.public", project, current_user)
    return render_template("catalog/project_detail.html", item=project, panels=shown)


@bp.get("/mentors/")
def mentors_list():
    return list_page(services.LISTINGS["mentors"], "catalog/mentors_list.html")


@bp.get("/mentors/<slug>")
def mentors_detail(slug: str):
    mentor = services.get_item("mentors", slug)
    shown = panels.render("mentor.public", mentor, current_user)
    return render_template("catalog/mentor_detail.html", item=mentor, panels=shown)


@bp.get("/units/")
def units_list():
    return list_page(services.LISTINGS["units"], "catalog/units_list.html")


@bp.get("/units/<code>")
def units_detail(code: str):
    """A unit's public page: its duties and contacts, and what other areas add (the ratings, from enough of them)."""
    unit = services.get_item("units", code)
    return render_template(
        "catalog/unit_detail.html", item=unit, panels=panels.render("unit.public", unit, current_user)
    )
