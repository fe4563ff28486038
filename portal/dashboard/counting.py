"""The dashboard's counters (core.tally), kept by signal receivers in the same transaction as each change, and
computed again from the source rows for `flask counts check` (and `--fix` after rows were written without their
signals: a bulk load, the demo history).

| measure | day (Beijing) | county | unit | kind | n / amount |
| --- | --- | --- | --- | --- | --- |
| received | month submitted | applicant's | – | type | applications |
| decided | month decided | applicant's | handling unit | type:approved / type:rejected | applications / 万元 |
| days | month decided | – | handling unit | type:working days to decision | applications |
| attended | month attended | applicant's | – | – | trainees |
| one_to_one | month approved | applicant's | – | – | mentoring applications approved (not by a visit seat) |
| visit_attendees | month of the visit | visit's | – | – | attendees on the filed record |
| event_training | month the 培训班 starts | event's | – | – | registrations checked in at the door |
| registration | month the business registered | its | – | – | confirmed registrations / jobs |
| material_twice | month of the second request | – | requesting unit | – | applications asked twice |
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from portal.applications import signals as application_signals
from portal.applications.models import Application, ApplicationEvent
from portal.applications.states import APPROVED, REJECTED
from portal.core import tally
from portal.core.tally import local_day, month_of
from portal.events.queries import training_attendance_rows
from portal.events.states import attendance_changed as event_attendance
from portal.extensions import db
from portal.queues import signals as queue_signals
from portal.queues.signals import attendance_recorded
from portal.registry.models import Registration
from portal.registry.states import CONFIRMED, REGISTRATION
from portal.visits.models import Visit, VisitOffer, VisitRecord
from portal.visits.states import VISIT

DECIDED = (APPROVED, REJECTED)
SEAT_ACTION = "offer_accepted"  # approved because the applicant took a seat on a visit: counted with the visit


def _decided(application: Application, after: str, action: str) -> None:
    month = month_of(local_day(application.decided_at))
    kind = f"{application.type}:{after}"
    amount = application.amount_wan if application.type == "loan" else 0
    tally.bump("decided", month, county_id=application.county_id, unit_id=application.handling_unit_id, kind=kind,
               amount=amount)  # fmt: skip
    if application.type == "mentoring" and after == APPROVED and action != SEAT_ACTION:
        tally.bump("one_to_one", month, county_id=application.county_id)


def on_decided(application: Application, state: str, **_ignored) -> None:
    """Working days to decision, per unit: sent by the queues once they have set them."""
    if application.decision_working_days is not None:
        month = month_of(local_day(application.decided_at))
        tally.bump("days", month, unit_id=application.handling_unit_id,
                   kind=f"{application.type}:{application.decision_working_days}")  # fmt: skip


def on_transition(application: Application, action: str, before: str, after: str, event=None, **_ignored) -> None:
    if action == "submit":
        day = month_of(local_day(application.submitted_at))
        tally.bump("received", day, county_id=application.county_id, kind=application.type)
    if after != before and after in DECIDED:
        _decided(application, after, action)
    unit_id = event.unit_id or event.unit.id if event is not None and event.unit is not None else None
    if action == "request_material" and unit_id:
        db.session.flush()  # this request's event is counted too
        asked = db.session.scalar(
            sa.select(sa.func.count()).where(
                ApplicationEvent.application_id == application.id,
                ApplicationEvent.action == "request_material",
                ApplicationEvent.unit_id == unit_id,
            )
        )
        if asked == 2:
            tally.bump("material_twice", month_of(local_day(None)), unit_id=unit_id)


def on_attendance(application: Application, before=None, after=None, **_ignored) -> None:
    if before is not None:
        tally.bump("attended", month_of(before), county_id=application.county_id, n=-1)
    if after is not None:
        tally.bump("attended", month_of(after), county_id=application.county_id)


def on_visit(visit: Visit, action: str, **_ignored) -> None:
    if action == "record" and visit.record is not None:
        tally.bump("visit_attendees", month_of(visit.day), county_id=visit.county_id, n=visit.record.attendees)


def on_event_attendance(registration, event, checked_in: bool, **_ignored) -> None:
    """A 培训班's check-in at the door is one training person-time (taken back with the check-in)."""
    if event.kind == "training":
        tally.bump("event_training", month_of(local_day(event.starts_at)), county_id=event.county_id,
                   n=1 if checked_in else -1)  # fmt: skip


def on_registration(registration: Registration, action: str, after: str, **_ignored) -> None:
    if after == CONFIRMED:
        tally.bump("registration", month_of(registration.registered_on), county_id=registration.county_id,
                   amount=registration.jobs)  # fmt: skip


# ---------------------------------------------------------------- the same measures from the source rows


def _cells(rows) -> dict[tally.Cell, tuple[int, Decimal]]:
    found: dict = defaultdict(lambda: [0, Decimal(0)])
    for cell, n, amount in rows:
        found[cell][0] += n
        found[cell][1] += Decimal(str(amount or 0))
    return {cell: (n, amount) for cell, (n, amount) in found.items() if n or amount}


def _stream(stmt):
    return db.session.execute(stmt.execution_options(yield_per=5000))


def source_received():
    stmt = sa.select(Application.submitted_at, Application.county_id, Application.type).where(
        Application.submitted_at.is_not(None)
    )
    return _cells(((month_of(local_day(at)), c or 0, 0, t), 1, 0) for at, c, t in _stream(stmt))


def _decided_rows():
    stmt = sa.select(
        Application.id, Application.type, Application.state, Application.decided_at, Application.county_id,
        Application.handling_unit_id, Application.amount_wan, Application.decision_working_days,
    ).where(Application.state.in_(DECIDED), Application.decided_at.is_not(None))  # fmt: skip
    return _stream(stmt)


def source_decided():
    return _cells(
        ((month_of(local_day(at)), c or 0, u or 0, f"{t}:{s}"), 1, amount if t == "loan" else 0)
        for _id, t, s, at, c, u, amount, _days in _decided_rows()
    )


def source_days():
    return _cells(
        ((month_of(local_day(at)), 0, u or 0, f"{t}:{days}"), 1, 0)
        for _id, t, _s, at, _c, u, _amount, days in _decided_rows()
        if days is not None
    )


def source_attended():
    stmt = sa.select(Application.attended_on, Application.county_id).where(
        Application.attended_on.is_not(None), Application.type == "training", Application.state == APPROVED
    )
    return _cells(((month_of(day), c or 0, 0, ""), 1, 0) for day, c in _stream(stmt))


def source_one_to_one():
    seated = sa.select(VisitOffer.id).where(
        VisitOffer.application_id == Application.id, VisitOffer.status == "accepted"
    )
    stmt = sa.select(Application.decided_at, Application.county_id).where(
        Application.type == "mentoring", Application.state == APPROVED, ~sa.exists(seated)
    )
    return _cells(((month_of(local_day(at)), c or 0, 0, ""), 1, 0) for at, c in _stream(stmt))


def source_visit_attendees():
    stmt = sa.select(Visit.day, Visit.county_id, VisitRecord.attendees).join(
        VisitRecord, VisitRecord.visit_id == Visit.id
    )
    return _cells(((month_of(day), c or 0, 0, ""), n, 0) for day, c, n in _stream(stmt))


def source_event_training():
    return _cells(((month_of(local_day(at)), c or 0, 0, ""), 1, 0) for at, c in training_attendance_rows())


def source_registration():
    stmt = sa.select(Registration.registered_on, Registration.county_id, Registration.jobs).where(
        Registration.status == CONFIRMED
    )
    return _cells(((month_of(day), c or 0, 0, ""), 1, jobs) for day, c, jobs in _stream(stmt))


def source_material_twice():
    per_application = (
        sa.select(ApplicationEvent.application_id, ApplicationEvent.unit_id, ApplicationEvent.at)
        .where(ApplicationEvent.action == "request_material", ApplicationEvent.unit_id.is_not(None))
        .order_by(ApplicationEvent.application_id, ApplicationEvent.unit_id, ApplicationEvent.at, ApplicationEvent.id)
    )
    seen: dict = defaultdict(int)
    rows = []
    for application_id, unit_id, at in _stream(per_application):
        seen[(application_id, unit_id)] += 1
        if seen[(application_id, unit_id)] == 2:
            rows.append(((month_of(local_day(at)), 0, unit_id, ""), 1, 0))
    return _cells(rows)


SOURCES = {
    "received": source_received,
    "decided": source_decided,
    "days": source_days,
    "attended": source_attended,
    "one_to_one": source_one_to_one,
    "visit_attendees": source_visit_attendees,
    "event_training": source_event_training,
    "registration": source_registration,
    "material_twice": source_material_twice,
}


def init_app(app) -> None:
    application_signals.transitioned.connect(on_transition)
    queue_signals.decided.connect(on_decided)
    attendance_recorded.connect(on_attendance)
    VISIT.signal.connect(on_visit)
    REGISTRATION.signal.connect(on_registration)
    event_attendance.connect(on_event_attendance)
    for measure, source in SOURCES.items():
        tally.register(measure, source)
