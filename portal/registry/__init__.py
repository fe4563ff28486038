"""返乡创业登记: the register of new returning entrepreneurs. A returning worker records the business they started;
the county 人社局 confirms it (or asks for proof); staff register on someone's behalf (帮办, with the person's
SMS consent) and import a county's spreadsheet return. Only confirmed records count toward the plan's target."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.registry import access, states  # noqa: F401  (access registers the area's rules)
    from portal.registry import models as _models  # noqa: F401  (tables)
    from portal.registry.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["registration_status"] = states.REGISTRATION.label
    app.jinja_env.globals["registry_label"] = _label


def _label(table: str, code: str | None) -> str:
    """A code's label from the register's vocabulary (`FORMS`, `INDUSTRIES`, `RETURNED_FROM`, `SOURCES`)."""
    from portal.registry import vocab

    return str(getattr(vocab, table).get(code, code or ""))
