"""项目展示 / 找支持的项目: returning entrepreneurs present projects looking for investment, loans, buyers, suppliers
or a place in a base; the county's 人社局 approves them before anything is public; units shortlist projects for a
路演 or 对接会 and recommend them to the 河南省农民工返乡创业投资基金's project pool, with an XLSX export."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    import sqlalchemy as sa

    from portal.core import cache, panels
    from portal.ventures import access, states, vocab  # noqa: F401  (access registers the area's rules)
    from portal.ventures.cli import ventures_cli
    from portal.ventures.models import Venture
    from portal.ventures.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(ventures_cli)
    panels.register("project.public", _catalog_project_panel)
    # the catalog's project pages (cached for visitors) show the link: a change to a project renews them
    cache.generation_source("ventures", lambda: sa.select(sa.func.max(Venture.updated_at)).scalar_subquery())
    app.jinja_env.globals["venture_status"] = states.VENTURE.label
    app.jinja_env.globals["recommendation_status"] = states.RECOMMENDATION.label
    app.jinja_env.globals["venture_label"] = _label


def _label(table: str, code: str | None) -> str:
    """A code's label from the area's vocabularies (`STAGES`, `SEEKS`, `CONTACT`, `PURPOSES`, `FUNDS`)."""
    from portal.ventures import vocab

    return str(getattr(vocab, table).get(code, code or ""))


def _catalog_project_panel(project, _user):
    """On a demonstration project's catalog page: a link to its project page, when one is published."""
    from portal.ventures.queries import published_for_project

    venture = published_for_project(project)
    return ("ventures/_catalog_project_panel.html", {"venture": venture}) if venture else None
