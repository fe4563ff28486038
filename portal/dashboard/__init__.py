"""The leading group's dashboard: targets, indicators counted from the portal's records, off-line figures,
the office page and its export, public statistics, and the demo activity of `make run`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.dashboard import access, counting  # noqa: F401  (access registers the area's rules)
    from portal.dashboard.cli import dashboard_cli
    from portal.dashboard.views import bp

    app.register_blueprint(bp)
    counting.init_app(app)
    app.cli.add_command(dashboard_cli)
    app.jinja_env.globals.update(dept_names=dept_names, count_names=count_names)


def dept_names(codes: list[str]) -> str:
    """The responsible units of a work item, as the plan names them (by department)."""
    from flask_babel import gettext as _

    from portal.catalog.vocab import DEPTS
    from portal.core.i18n import is_chinese

    names = [str(DEPTS.get(c, _("各成员单位") if c == "all" else c)) for c in codes]
    return ("、" if is_chinese() else ", ").join(names)


def count_names(keys: list[str]) -> str:
    """What the portal counts for a work item."""
    from flask_babel import lazy_gettext as _l

    from portal.core.i18n import is_chinese
    from portal.dashboard.indicators import BY_KEY

    labels = {
        "indicators": _l("四项目标指标"),
        "bases": _l("孵化基地、示范园区目录"),
        "portal": _l("本平台"),
        "visits": _l("创业导师乡村行场次"),
    }
    names = [str(BY_KEY[k].label if k in BY_KEY else labels.get(k, k)) for k in keys]
    return ("、" if is_chinese() else ", ").join(names)
