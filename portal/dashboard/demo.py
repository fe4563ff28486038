"""A simulated year of activity for a development server (`flask dashboard demo`, called by `make run`), so that a
newcomer sees a living dashboard: registrations, applications with decisions, visits with records, ratings, a few
off-line returns and this year's targets. Every row is marked as demo data (the applicants are 演示申请人,
registrations and figures carry `demo`, visits `sample`), and every page that shows these figures says so.
Production never runs this unless someone types the command.
"""

from __future__ import annotations

import random
import secrets
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.accounts.services import hash_password
from portal.applications.models import Application, ApplicationEvent
from portal.applications.operations import next_tracking_no
from portal.applications.states import APPROVED, REJECTED, WITHDRAWN
from portal.catalog.models import County, Mentor, Unit
from portal.core import tally
from portal.core.clock import BEIJING
from portal.dashboard.models import OfflineFigure, Target
from portal.dashboard.targets import seed_targets
from portal.db import utcnow
from portal.extensions import db
from portal.queues.models import QueueItem
from portal.queues.queries import calendar, today
from portal.ratings.models import Rating
from portal.registry.demo import make_demo
from portal.visits.models import Visit, VisitRecord

APPLICANTS = 40
DEMO_PHONE = "1700000{:04d}"  # 170 is a virtual-operator prefix; these numbers receive nothing here
TOWNSHIP = "城关镇"
SHARE_OF_2021 = 20  # demo targets: the 2021 plan's figures divided by this, marked 演示数据
KINDS = (("training", 0.35), ("mentoring", 0.25), ("loan", 0.40))


def exists() -> bool:
    return bool(db.session.scalar(sa.select(Target.id).where(Target.demo).limit(1)))


def _applicants() -> list[User]:
    password = hash_password(secrets.token_urlsafe(24))  # nobody knows it: these accounts are never logged into
    users = []
    for n in range(1, APPLICANTS + 1):
        user = db.session.scalar(sa.select(User).where(User.phone == DEMO_PHONE.format(n)))
        if user is None:
            user = User(name=f"演示申请人{n:02d}", role="applicant", password_hash=password)
            user.phone = DEMO_PHONE.format(n)
            db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), BEIJING).astimezone(UTC)


def _lead_unit(county: County, units: dict[str, Unit]) -> Unit:
    return units.get(f"{county.code}-hrss") or units["city-hrss"]


def _application(rng, kind, county, unit, applicant, submitted: date, end: date) -> Application:
    amount = Decimal(rng.choice((5, 5, 10, 10, 15, 20))) if kind == "loan" else None
    application = Application(
        type=kind, state="submitted", applicant_id=applicant.id, form_key=uuid.uuid4().hex, county_id=county.id,
        township=TOWNSHIP, applicant_name=applicant.name, answers={"demo": True}, amount_wan=amount,
        submitted_at=_moment(submitted, rng), tracking_no=next_tracking_no(kind, submitted.year),
        handling_unit_id=unit.id,
    )  # fmt: skip
    db.session.add(application)
    db.session.flush()
    cal = calendar()
    due = cal.add_working_days(submitted, 20)
    decided_on = cal.add_working_days(submitted, rng.randint(3, 25))
    roll = rng.random()
    state = None if decided_on > end else APPROVED if roll < 0.78 else REJECTED if roll < 0.92 else WITHDRAWN
    item = QueueItem(
        application_id=application.id, unit_id=unit.id, role="lead", status="open", app_type=kind,
        app_state=state or "accepted", county_id=county.id, due_date=due, explanation={"demo": True},
        created_at=application.submitted_at,  # routed when submitted: days to close count from then
    )  # fmt: skip
    db.session.add(item)
    events = [ApplicationEvent(application_id=application.id, at=application.submitted_at, action="submit",
                               to_state="submitted", unit_id=unit.id, message="演示数据")]  # fmt: skip
    if state:
        application.state, application.decided_at = state, _moment(decided_on, rng)
        application.decision_working_days = cal.working_days_between(submitted, decided_on)
        item.status, item.closed_at = "closed", application.decided_at
        decision = ApplicationEvent(
            application_id=application.id, at=application.decided_at, action=state, from_state="accepted",
            to_state=state, unit_id=unit.id, message="演示数据",
        )  # fmt: skip
        events.append(decision)
        if kind == "training" and state == APPROVED:
            attended = decided_on + timedelta(days=rng.randint(3, 20))
            application.attended_on = attended if attended <= end else None
    else:
        application.state = item.app_state = "accepted"
        application.promised_date = due
    db.session.add_all(events)
    return application


def _rate(rng, application: Application) -> None:
    decided = application.decided_at.astimezone(BEIJING)
    level = rng.choices((5, 4, 3, 2, 1), weights=(50, 30, 12, 5, 3))[0]
    db.session.add(
        Rating(
            application_id=application.id, rater_id=application.applicant_id, unit_id=application.handling_unit_id,
            county_id=application.county_id, month=decided.strftime("%Y-%m"), level=level, reasons=[],
            changeable_until=application.decided_at + timedelta(days=7),
        )
    )  # fmt: skip


def _visits(rng, year: int, end: date, counties: list[County], units: dict[str, Unit], filer: User) -> int:
    mentors = list(db.session.scalars(sa.select(Mentor).where(Mentor.sample).order_by(Mentor.slug)))
    if not mentors:
        return 0
    made = 0
    for month in range(1, end.month + 1 if end.year == year else 13):
        for county in rng.sample(counties, k=min(2, len(counties))):
            day = date(year, month, rng.randint(3, 26))
            if day > end:
                continue
            visit = Visit(
                mentor_id=rng.choice(mentors).id, county_id=county.id, dest_kind="township", township=TOWNSHIP,
                place_key=f"township:{county.code}:{TOWNSHIP}", day=day, start_time=time(9), end_time=time(11, 30),
                topics=["management"], capacity=30, status="completed", confirm_unit_id=_lead_unit(county, units).id,
                decided_at=_moment(day - timedelta(days=10), rng), decision_note="演示数据", sample=True,
            )  # fmt: skip
            db.session.add(visit)
            db.session.flush()
            attendees = rng.randint(6, 16)
            db.session.add(VisitRecord(visit_id=visit.id, attendees=attendees, topics_covered="演示数据：经营管理答疑",
                                       filed_by_id=filer.id))  # fmt: skip
            made += attendees
    return made


def make_year(seed: int = 2021) -> dict[str, int]:
    """This year up to today, across all counties. Returns what was made; nothing when demo data exists."""
    if exists():
        return {}
    rng = random.Random(seed)  # noqa: S311 - simulated activity, not secrets
    end = today()
    year = end.year
    counties = list(db.session.scalars(sa.select(County).where(County.kind != "zone").order_by(County.sort)))
    units = {u.code: u for u in db.session.scalars(sa.select(Unit))}
    applicants = _applicants()
    made = {"applications": 0, "ratings": 0}
    day = date(year, 1, 2)
    while day <= end:
        for _n in range(rng.choice((1, 2, 2, 3))):
            kind = rng.choices([k for k, _w in KINDS], weights=[w for _k, w in KINDS])[0]
            county = rng.choice(counties)
            application = _application(rng, kind, county, _lead_unit(county, units), rng.choice(applicants), day, end)
            made["applications"] += 1
            if application.state in (APPROVED, REJECTED) and rng.random() < 0.45:
                _rate(rng, application)
                made["ratings"] += 1
        day += timedelta(days=1)
    hrss = {c.id: _lead_unit(c, units) for c in counties}
    made["registrations"] = make_demo(rng, year, counties, hrss, applicants)
    filer = db.session.scalar(sa.select(User).where(User.role == "staff").order_by(User.id)) or applicants[0]
    made["mentoring_person_times"] = _visits(rng, year, end, counties, units, filer)
    for county in rng.sample(counties, k=2):
        for month in range(1, end.month):
            figure = OfflineFigure(
                year=year, month=month, county_id=county.id, indicator="training", value=Decimal(rng.randint(1, 5)),
                note="演示数据：县人社局月报（其他培训机构）", demo=True,
            )  # fmt: skip
            db.session.add(figure)
    for key, entry in (seed_targets(2021) or {}).items():
        value = (Decimal(str(entry["value"])) / SHARE_OF_2021).quantize(Decimal("1"))
        db.session.add(Target(year=year, indicator=key, value=value, demo=True, set_at=utcnow(),
                              source=f"演示数据：按宛农工创〔2021〕1号目标的1/{SHARE_OF_2021}设定"))  # fmt: skip
    db.session.flush()
    for measure in tally.SOURCES:  # the history above was written without its signals: count it from the rows
        tally.fix(measure)
    return made
