"""居民身份证号码 (GB 11643-1999): what the portal accepts, wrapping python-stdnum.

python-stdnum's `stdnum.cn.ric.validate` also checks that the first six digits (the place of first
registration) existed in the year of birth. Codes are renamed and renumbered as places change: Nanyang's
4113xx codes date from when 南阳地区 became a city (1994), so everyone born there earlier, who still carries a
4113xx number, was refused. A number is valid here when its length, characters, birth date and check digit
are right and its first two digits name a real province-level division; the exact county is not checked.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

# First two digits of the province-level divisions (GB/T 2260), including 71 台湾, 81 香港, 82 澳门.
PROVINCES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42"}
    | {"43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}
)


class InvalidRegion(InvalidComponent):
    """The first two digits name no province."""


class InvalidBirthDate(InvalidComponent):
    """Digits 7–14 are not a date (or a date in the future)."""


def compact(value: str) -> str:
    return ric.compact(value or "").upper()


def birth_date(value: str) -> date:
    """The birth date in a (compacted) number, or InvalidBirthDate."""
    try:
        return ric.get_birth_date(value)
    except ValidationError:
        raise InvalidBirthDate() from None


def validate(value: str, today: date | None = None) -> str:
    """Return the compacted number or raise a stdnum ValidationError subclass saying what is wrong."""
    value = compact(value)
    if len(value) != 18:
        raise InvalidLength()
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidFormat()
    if value[:2] not in PROVINCES:
        raise InvalidRegion()
    if birth_date(value) > (today or date.today()):
        raise InvalidBirthDate()
    if ric.calc_check_digit(value) != value[17]:
        raise InvalidChecksum()
    return value


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True
