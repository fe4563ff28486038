"""The lifecycle of a survey: drafted, opened to its audience, closed. `Lifecycle.apply` is the only writer of its
status (it audits each move and sends the `survey-changed` signal)."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.surveys.models import Survey

_signals = Namespace()

DRAFT, OPEN, CLOSED = "draft", "open", "closed"

SURVEY = Lifecycle(
    name="survey",
    model=Survey,
    initial=DRAFT,
    moves={(DRAFT, "open"): OPEN, (OPEN, "close"): CLOSED},
    labels={DRAFT: _l("草稿"), OPEN: _l("正在调查"), CLOSED: _l("已结束")},
    signal=_signals.signal("survey-changed"),
)
