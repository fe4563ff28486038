"""Intake: an application submitted in another area becomes items in the responsible units' queues.

Connected to the applications area's signals from `init_app`: `submitted` routes the application (inside the
submit transaction), `transitioned` keeps each item's copy of the state current, pauses and resumes the
deadline clock around 补正, and closes the items once the application is decided or withdrawn.
Turning an application into routing facts happens here, so that routing stays a pure function of facts.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.applications import signals
from portal.applications import states as app_states
from portal.applications.models import Application
from portal.applications.states import transition
from portal.catalog.models import County, Unit
from portal.db import utcnow
from portal.extensions import db
from portal.queues import counts, queries
from portal.queues import signals as queue_signals
from portal.queues.models import QueueItem
from portal.queues.states import ITEM, OPEN, TRANSFERRED
from portal.routing import services as routing
from portal.routing.rules import Facts


def facts_of(application: Application) -> Facts:
    answers = application.answers or {}
    county = db.session.get(County, application.county_id) if application.county_id else None
    return Facts(
        type=application.type,
        county_code=county.code if county else None,
        course=answers.get("course_type") or None,
        topic=answers.get("topic") or None,
        collateral=answers.get("collateral") or None,
        applicant_type=answers.get("applicant_type") or None,
        amount_wan=application.amount_wan,
    )


def route(application: Application, **_ignored) -> list[QueueItem]:
    decision = routing.decision_for(facts_of(application))
    units = routing.units_by_code([decision.lead, *decision.co_review])
    lead = units.get(decision.lead)
    if lead is None:
        # the office unit is missing from units.yaml: this is a content error, not the applicant's
        raise RuntimeError(f"routing names unknown unit {decision.lead}")
    due = queries.calendar().add_working_days(queries.today(), decision.deadline_working_days)
    explanation = decision.as_dict()
    items = [new_item(application, lead, "lead", due, explanation)]
    keep_promise(application, items[0], "routed")
    items += [new_item(application, units[c], "co_review", due, explanation) for c in decision.co_review if c in units]
    co_names = "、".join(units[c].short_name for c in decision.co_review if c in units)
    with force_locale("zh_Hans_CN"):
        message = (
            _("已送%(lead)s办理，%(co)s会同审核。", lead=lead.name, co=co_names)
            if co_names
            else _("已送%(lead)s办理。", lead=lead.name)
        )
        if decision.triage:
            message = _("暂无对应的办理单位，已送领导小组办公室分办。")
    transition(
        application,
        "route",
        None,
        message=message,
        unit=lead,
        details={"lead": decision.lead, "co_review": decision.co_review, "due_date": due.isoformat()},
    )
    return items


def new_item(
    application: Application,
    unit: Unit,
    role: str,
    due: date,
    explanation: dict,
    from_unit: Unit | None = None,
    paused_since: date | None = None,
) -> QueueItem:
    item = QueueItem(
        application=application,
        unit=unit,
        role=role,
        status=ITEM.initial,
        app_type=application.type,
        app_state=application.state,
        county_id=application.county_id,
        due_date=due,
        explanation=explanation,
        from_unit=from_unit,
        paused_since=paused_since,
    )
    db.session.add(item)
    counts.opened(item)
    return item


def keep_promise(application: Application, lead_item: QueueItem, reason: str) -> None:
    """What the applicant is promised follows the lead item: its unit, its due date, whether its clock is paused."""
    application.handling_unit_id = lead_item.unit.id
    application.promised_date = lead_item.due_date
    application.clock_paused = lead_item.paused_since is not None
    application.promise_reason = reason


def on_transition(application: Application, action: str, before: str, after: str, actor=None, **_ignored) -> None:
    """Keep the queue copies of the state current; pause and resume the clock; close items on a decision."""
    items = list(db.session.scalars(sa.select(QueueItem).where(QueueItem.application_id == application.id)))
    now_day = queries.today()
    cal = None
    for item in items:
        if item.status != TRANSFERRED and item.app_state != after:
            counts.state_moved(item, item.app_state, after)
        item.app_state = after
        if item.status != OPEN:
            continue
        if after == app_states.NEEDS_MATERIAL and item.paused_since is None:
            counts.left(item)
            item.paused_since = now_day
            counts.entered(item)
            _promise_moved(application, item, "paused")
        elif before == app_states.NEEDS_MATERIAL and after != app_states.NEEDS_MATERIAL and item.paused_since:
            cal = cal or queries.calendar()
            paused = cal.working_days_between(item.paused_since, now_day)
            counts.left(item)
            item.due_date = cal.add_working_days(item.due_date, paused) if paused > 0 else item.due_date
            item.paused_since = None
            counts.entered(item)
            _promise_moved(application, item, "resumed")
        if after in app_states.FINAL_STATES:
            ITEM.apply(item, "close", actor, values={"closed_at": utcnow(), "app_state": after})
    if after in (app_states.APPROVED, app_states.REJECTED) and application.submitted_at:
        cal = cal or queries.calendar()
        submitted = queries.local_day(application.submitted_at)
        application.decision_working_days = max(0, cal.working_days_between(submitted, now_day))
        queue_signals.decided.send(application, state=after)


def _promise_moved(application: Application, item: QueueItem, reason: str) -> None:
    if item.role == "lead":
        keep_promise(application, item, reason)


def init_app(app: Flask) -> None:
    signals.submitted.connect(route)
    signals.transitioned.connect(on_transition)
