"""The visits' section of the staff's daily digest (notify.digest): visits waiting for the unit's confirmation."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask

from portal.accounts.models import User
from portal.extensions import db
from portal.notify.digest import Line, register
from portal.visits.models import Visit
from portal.visits.queries import short_when
from portal.visits.states import PENDING

LIMIT = 30


def pending_visits(user: User, _since: datetime, day: date) -> list[Line]:
    """Every visit still waiting for the member's unit to confirm it (until it is decided, every day)."""
    visits = db.session.scalars(
        sa.select(Visit)
        .where(Visit.confirm_unit_id == user.unit_id, Visit.status == PENDING, Visit.day >= day)
        .order_by(Visit.day, Visit.id)
        .limit(LIMIT)
    )
    return [Line(f"{v.mentor.name} · {v.place_name}", "/staff/visits", short_when(v)) for v in visits]


def init_app(_app: Flask) -> None:
    register("visits_pending", pending_visits)
