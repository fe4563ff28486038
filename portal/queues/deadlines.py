"""Deadlines of open items recomputed when a year's holiday schedule changes (entered at /admin/calendar).

An item's deadline is its allowance of working days (routing.yaml's `deadlines`, kept in the item's
`explanation`), counted from the day the application was submitted and routed, plus the working days its clock
was paused for 补正. Paused spans are not stored one by one, so the count is taken from the deadline itself: the
working days from the routing day to the deadline under the calendar as it was are the allowance plus the pauses.
Counting the same number of working days under the new calendar gives the new deadline. The change is only what
the new schedule makes of the days between the routing day and the deadline (docs/queues.md).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from portal.applications import notifications
from portal.applications.models import Application, ApplicationEvent
from portal.extensions import db
from portal.queues import counts, queries
from portal.queues.calendar import WorkCalendar
from portal.queues.intake import keep_promise
from portal.queues.models import QueueItem
from portal.queues.states import OPEN

ACTION = "deadline_recalculated"


def _start(item: QueueItem) -> date:
    application = item.application
    return queries.local_day(application.submitted_at or item.created_at)


def recalculate(before: WorkCalendar, after: WorkCalendar, year: int, reason: str) -> list[QueueItem]:
    """Move the deadline of every open item whose span touches `year` as `after` counts it; the lead item's
    applicant gets the new promised date and a timeline note (`reason` says why, the new date is added).
    Returns the items moved. Counters (queues.counts) follow in the same transaction."""
    stmt = (
        sa.select(QueueItem)
        .where(QueueItem.status == OPEN, QueueItem.due_date >= date(year, 1, 1))
        .options(sa.orm.joinedload(QueueItem.application), sa.orm.joinedload(QueueItem.unit))
        .order_by(QueueItem.id)
    )
    moved: list[QueueItem] = []
    spans: dict[tuple[date, date], date] = {}  # many items share a routing day and a deadline
    for item in db.session.scalars(stmt).unique():
        start = _start(item)
        if start > date(year, 12, 31):
            continue
        key = (start, item.due_date)
        if key not in spans:
            spans[key] = after.add_working_days(start, before.working_days_between(start, item.due_date))
        due = spans[key]
        if due == item.due_date:
            continue
        counts.left(item)
        item.due_date = due
        counts.entered(item)
        moved.append(item)
        if item.role == "lead":
            keep_promise(item.application, item, "recalculated")
            _note(item.application, item, reason)
    return moved


def _note(application: Application, item: QueueItem, reason: str) -> None:
    with force_locale("zh_Hans_CN"):
        when = format_date(item.due_date, "long")
        message = _("%(reason)s办理期限调整为%(date)s。", reason=reason, date=when)
    event = ApplicationEvent(
        application=application,
        action=ACTION,
        unit_id=item.unit_id,
        message=message,
        details={"due_date": item.due_date.isoformat()},
    )
    db.session.add(event)
    notifications.tell_promise_moved(application, event)  # inbox, and SMS unless the applicant turned it off
