"""Changes the office makes to what the dashboard measures against: targets and off-line figures (audited)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.catalog.models import County
from portal.core.access import can
from portal.dashboard.indicators import BY_KEY
from portal.dashboard.models import CITY, OfflineFigure, Target
from portal.db import utcnow
from portal.errors import InvalidInput, NotFound
from portal.extensions import db


def _whole_if_counted(indicator: str, value: Decimal) -> None:
    """People (人) and person-times (人次) are counted, not measured: 12.5 人 is a typing mistake."""
    found = BY_KEY.get(indicator)
    if found is not None and found.whole and value != value.to_integral_value():
        raise InvalidInput(_("%(unit)s数请填整数。", unit=found.unit), field="value")


def set_target(user, year: int, indicator: str, county: County | None, value: Decimal, source: str) -> Target:
    if not can(user, "targets.set"):
        raise NotFound()
    _whole_if_counted(indicator, value)
    code = county.code if county else CITY
    target = db.session.scalar(
        sa.select(Target).where(Target.year == year, Target.indicator == indicator, Target.county_code == code)
    )
    before = {"value": str(target.value), "source": target.source} if target else None
    if target is None:
        target = Target(year=year, indicator=indicator, county_code=code, value=value, source=source)
        db.session.add(target)
    target.value, target.source, target.set_by_id, target.set_at, target.demo = value, source, user.id, utcnow(), False
    db.session.flush()
    audit.record(
        user,
        "target.set",
        "target",
        f"{year}:{indicator}:{code or 'city'}",
        before=before,
        after={"value": str(value), "source": source},
    )
    return target


def clear_target(user, target_id: int) -> None:
    """Remove a target set in the portal; the seed's (content/targets.yaml) applies again, if any."""
    if not can(user, "targets.set"):
        raise NotFound()
    target = db.session.get(Target, target_id)
    if target is None:
        raise NotFound()
    audit.record(
        user,
        "target.clear",
        "target",
        f"{target.year}:{target.indicator}:{target.county_code or 'city'}",
        before={"value": str(target.value), "source": target.source},
    )
    db.session.delete(target)


def enter_offline(
    user, year: int, month: int, county: County, indicator: str, value: Decimal, note: str
) -> OfflineFigure:
    """A county's figure for one month; entering it again replaces it (the audit keeps what it was)."""
    if not can(user, "offline.enter", county):
        raise NotFound()
    if not 1 <= month <= 12:
        raise InvalidInput(_("请选择月份。"), field="month")
    _whole_if_counted(indicator, value)
    figure = db.session.scalar(
        sa.select(OfflineFigure).where(
            OfflineFigure.year == year,
            OfflineFigure.month == month,
            OfflineFigure.county_id == county.id,
            OfflineFigure.indicator == indicator,
        )
    )
    before = {"value": str(figure.value), "note": figure.note} if figure else None
    if figure is None:
        figure = OfflineFigure(year=year, month=month, county_id=county.id, indicator=indicator)
        db.session.add(figure)
    figure.value, figure.note, figure.entered_by_id, figure.entered_at, figure.demo = (
        value,
        note,
        user.id,
        utcnow(),
        False,
    )
    db.session.flush()
    audit.record(
        user,
        "offline_figure.set",
        "offline_figure",
        figure.id,
        before=before,
        after={"year": year, "month": month, "county": county.code, "indicator": indicator, "value": str(value)},
    )
    return figure
