"""Panels: what one area adds to another area's page, so that the page's area imports none of them.

A page names a slot ("application.applicant", "queue_item.staff"); an area registers, from its init_app,
a function `panel(obj, user) -> (template, context) | None` for that slot; the page shows each template a
panel returns, rendered with the object (as `obj`) in its context.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from markupsafe import Markup

Panel = Callable[[object, object], tuple[str, dict] | None]
_SLOTS: dict[str, list[Panel]] = {}


def register(slot: str, panel: Panel) -> None:
    panels = _SLOTS.setdefault(slot, [])
    if panel not in panels:
        panels.append(panel)


def render(slot: str, obj, user) -> list[Markup]:
    """Each registered panel of the slot that has something to show, rendered (Jinja escapes what it shows)."""
    shown = []
    for panel in _SLOTS.get(slot, []):
        result = panel(obj, user)
        if result is not None:
            template, context = result
            shown.append(Markup(render_template(template, obj=obj, **context)))  # noqa: S704
    return shown
