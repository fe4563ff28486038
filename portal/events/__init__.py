"""Events (活动): 路演, 投资对接会, 沙龙, 论坛, 展示月活动, 培训班 and 销售对接 published by the units and the office;
registration with a waiting list (core.seats, shared with visits), check-in at the door, outcomes, the public
calendar and its iCalendar feed."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.events import access, states, vocab  # noqa: F401  (access registers the area's rules)
    from portal.events.cli import events_cli
    from portal.events.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(events_cli)
    app.jinja_env.globals["event_status"] = states.EVENT.label
    app.jinja_env.globals["registration_state"] = states.REGISTRATION.label
    app.jinja_env.globals["event_label"] = lambda table, code: vocab.label(getattr(vocab, table), code)
    app.jinja_env.globals["event_local"] = _local
    _register_survey_audience()


def _register_survey_audience() -> None:
    """A needs survey (surveys) can go to the people checked in at an event."""
    from flask_babel import lazy_gettext as _l

    from portal.events import queries
    from portal.surveys import audiences

    audiences.register("event", _l("活动的参加者"), queries.attendee_ids, choices=queries.attended_events)


def _local(moment):
    from portal.events.queries import to_local

    return to_local(moment)
