"""Who sees the leading group's dashboard and who may change what feeds it.

- The office and administrators see the whole city and every county; the lead of a county's 人社局 sees that
  county only (its page, its row, its units).
- Only the office and administrators set targets.
- Off-line figures for a county are entered by the office, administrators, or that county's 人社局 staff.
"""

from __future__ import annotations

from portal.core.access import rule

OFFICE = ("office", "admin")


def is_office(user) -> bool:
    return user is not None and getattr(user, "role", None) in OFFICE


def county_of(user) -> int | None:
    """The county whose 人社局 the user works for, or None."""
    unit = getattr(user, "unit", None) if getattr(user, "role", None) == "staff" else None
    return unit.county_id if unit is not None and unit.dept == "hrss" and unit.county_id else None


@rule("dashboard.view")
def _view(user, _obj=None) -> bool:
    return is_office(user) or (county_of(user) is not None and bool(getattr(user, "is_unit_lead", False)))


@rule("dashboard.county")
def _county(user, county) -> bool:
    """The figures of one county (None: the whole city, office only)."""
    if is_office(user):
        return True
    return county is not None and _view(user) and county.id == county_of(user)


@rule("targets.set")
def _set_targets(user, _obj=None) -> bool:
    return is_office(user)


@rule("offline.enter")
def _enter(user, county) -> bool:
    if is_office(user):
        return True
    return county is not None and county.id == county_of(user)
