"""Who a survey is for: a small registry of audiences.

An audience is a kind (`all`, `county`, `type`, and whatever other areas register, such as an event's attendees),
a label, and a function from the kind's parameter (a county code, an application type, an event id; None for a
kind without one) to the members: an SQL select of user ids, or any iterable of user ids. A kind that takes a
parameter also gives its choices, so the survey form can offer them:

    surveys.audiences.register("event", _l("活动的参加者"), attendee_ids, choices=event_choices)

Members are applicant accounts (entrepreneurs) that are active; whatever else a function returns is ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.sql.expression import SelectBase

from portal.accounts.models import User
from portal.extensions import db

Members = Callable[[str | None], "SelectBase | Iterable[int]"]


@dataclass(frozen=True)
class Audience:
    kind: str
    label: object  # translatable
    members: Members
    choices: Callable[[], Iterable[tuple[str, str]]] | None = None  # (parameter, label) when the kind takes one


_AUDIENCES: dict[str, Audience] = {}


def register(kind: str, label, members: Members, choices: Callable[[], Iterable[tuple[str, str]]] | None = None):
    """Add (or replace, for an app created again in the same process) an audience kind."""
    if not kind or ":" in kind or len(kind) > 16:
        raise ValueError(f"audience kind {kind!r}: 1–16 characters, no colon")
    _AUDIENCES[kind] = Audience(kind, label, members, choices)


def kinds() -> dict[str, Audience]:
    return dict(_AUDIENCES)


def options() -> list[tuple[str, str]]:
    """Every audience the survey form offers, as (value, label): `all`, `county:411324`, `type:loan`, …"""
    found = []
    for audience in _AUDIENCES.values():
        if audience.choices is None:
            found.append((audience.kind, str(audience.label)))
        else:
            found += [
                (f"{audience.kind}:{param}", _("%(label)s：%(message)s", label=audience.label, message=text))
                for param, text in audience.choices()
            ]
    return found


def parse(value: str | None) -> tuple[str, str | None] | None:
    """`county:411324` -> ("county", "411324") when it is one of the offered audiences; None otherwise."""
    value = (value or "").strip()
    if value not in dict(options()):
        return None
    kind, _sep, param = value.partition(":")
    return kind, (param or None)


def value_of(kind: str, param: str | None) -> str:
    return f"{kind}:{param}" if param else kind


def describe(kind: str, param: str | None) -> str:
    """The audience in words ("县区：镇平县"); an audience no longer offered keeps its raw value."""
    return dict(options()).get(value_of(kind, param)) or value_of(kind, param)


def member_ids(kind: str, param: str | None) -> sa.Select:
    """An SQL select of the members' user ids: active applicant accounts the audience's function names."""
    audience = _AUDIENCES.get(kind)
    if audience is None:
        return sa.select(User.id).where(sa.false())
    found = audience.members(param)
    chosen = found if isinstance(found, SelectBase) else list(found)
    return sa.select(User.id).where(User.id.in_(chosen), User.role == "applicant", User.active)


def is_member(user, kind: str, param: str | None) -> bool:
    if user is None or getattr(user, "role", None) != "applicant":
        return False
    stmt = member_ids(kind, param).where(User.id == user.id)
    return db.session.scalar(sa.select(stmt.exists())) or False


# ---------------------------------------------------------------- the three audiences this area registers


def _everyone(_param: str | None) -> sa.Select:
    return sa.select(User.id).where(User.role == "applicant")


def _county(param: str | None) -> SelectBase:
    """Entrepreneurs with a submitted application in the county, or a registration (返乡创业登记) there."""
    from portal.applications.queries import applicant_ids
    from portal.registry.queries import owner_ids_in_county

    return sa.union(applicant_ids(county_code=param), owner_ids_in_county(param))


def _county_choices() -> list[tuple[str, str]]:
    from portal.core.i18n import local_name
    from portal.registry.queries import all_counties

    return [(c.code, local_name(c)) for c in all_counties()]


def _type(param: str | None) -> sa.Select:
    from portal.applications.queries import applicant_ids

    return applicant_ids(app_type=param)


def _type_choices() -> list[tuple[str, str]]:
    from portal.catalog.vocab import APPLICATION_TYPES

    return [(code, str(label)) for code, label in APPLICATION_TYPES.items()]


def register_defaults() -> None:
    register("all", _l("全体创业者"), _everyone)
    register("county", _l("县区的创业者"), _county, choices=_county_choices)
    register("type", _l("申请过的人"), _type, choices=_type_choices)
