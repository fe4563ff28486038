"""需求调查: the leading group's office or a unit asks returning entrepreneurs short questions (the 2021 work plan's
item 13, 深入基层 调查研究, 收集建议、摸清需求). A survey goes to an audience (all entrepreneurs, a county,
applicants of a type, and audiences other areas register), is answered once per person — anonymously unless it
says otherwise — and its results are read, with small counts suppressed, by its owner unit and the office."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.surveys import access, audiences, states  # noqa: F401  (access registers the area's rules)
    from portal.surveys import models as _models  # noqa: F401  (tables)
    from portal.surveys.cli import surveys_cli
    from portal.surveys.views import bp

    audiences.register_defaults()
    app.register_blueprint(bp)
    app.cli.add_command(surveys_cli)
    app.jinja_env.globals["survey_status"] = states.SURVEY.label
