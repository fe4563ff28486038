"""Time as people in Nanyang count it. Moments are stored in UTC; every day, deadline and time a person reads is
Beijing time (Asia/Shanghai), whatever the server's own zone. One place for the zone and the conversions, so that
no area keeps its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from portal.db import utcnow

BEIJING = ZoneInfo("Asia/Shanghai")


def local_now() -> datetime:
    """Now in Beijing, without its zone (as forms and pages compare it with a day and a time typed in)."""
    return utcnow().astimezone(BEIJING).replace(tzinfo=None)


def today() -> date:
    """Today in Beijing."""
    return utcnow().astimezone(BEIJING).date()


def local_day(moment: datetime | None) -> date:
    """The Beijing date of a stored (UTC) moment; now when None."""
    moment = moment or utcnow()
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(BEIJING).date()


def to_local(moment: datetime | None) -> datetime | None:
    """A stored moment (UTC; SQLite gives it back without its zone) in Beijing time, without zone."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).replace(tzinfo=None)


def to_utc(day: date, at: time) -> datetime:
    """A Beijing day and time as the stored UTC moment."""
    return datetime.combine(day, at, tzinfo=BEIJING).astimezone(UTC)
