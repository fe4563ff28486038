"""Per-account login throttling: a growing pause after repeated failures, never a flat lock.

The first FREE_FAILURES wrong passwords for a number cost nothing. After that each further attempt has to wait
a pause that doubles with every failure (15 s, 30 s, 1 min, … at most 15 min), so a guesser gets a few dozen
tries a day while the owner is at most a short wait away from logging in, and can skip the wait at once by
resetting the password with an SMS code (which clears the count). A right password clears it too.

State lives in the rate-limit storage (Redis in production, see README), so every worker and every server sees
the same count. Each attempt is reserved with an atomic increment before the password is checked, so a burst
of simultaneous requests cannot slip past the limit (at most one more than it gets through). Keys carry a keyed
hash of the number, never the number itself; unknown numbers are throttled exactly like known ones.
"""

from __future__ import annotations

import math
import time

from flask import current_app

from portal.core.crypto import keyed_hash
from portal.extensions import limiter

FREE_FAILURES = 5
FIRST_PAUSE = 15  # seconds
MAX_PAUSE = 15 * 60
FORGET_AFTER = 24 * 3600  # the count starts again a day after the first failure


def pause_before(attempt: int) -> int:
    """Seconds an attempt has to wait after the previous failure (attempts are numbered from 1)."""
    if attempt <= FREE_FAILURES:
        return 0
    return min(FIRST_PAUSE * 2 ** (attempt - FREE_FAILURES - 1), MAX_PAUSE)


def _keys(phone: str) -> tuple[str, str]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    base = f"{prefix}login-throttle/{keyed_hash('login:' + phone)}"
    return base + "/count", base + "/gate"


def begin(phone: str) -> int | None:
    """Reserve an attempt for this number: None when it may go ahead, else the seconds to wait."""
    storage = limiter.storage
    count_key, gate_key = _keys(phone)
    attempt = storage.incr(count_key, FORGET_AFTER)
    if attempt <= FREE_FAILURES:
        return None
    # The gate is a counter that lives for the pause: whoever creates it goes ahead, everyone else waits.
    if storage.incr(gate_key, pause_before(attempt)) == 1:
        return None
    storage.incr(count_key, FORGET_AFTER, amount=-1)  # a refused attempt checked nothing: it is not a failure
    return max(1, math.ceil(storage.get_expiry(gate_key) - time.time()))


def failed(phone: str) -> None:
    """After a wrong password: from the FREE_FAILURES-th failure on, the next attempt has to wait."""
    storage = limiter.storage
    count_key, gate_key = _keys(phone)
    failures = storage.get(count_key)
    if failures >= FREE_FAILURES:
        storage.clear(gate_key)
        storage.incr(gate_key, pause_before(failures + 1))


def clear(phone: str) -> None:
    """After a right password or a password reset by SMS code: the count starts from zero."""
    storage = limiter.storage
    for key in _keys(phone):
        storage.clear(key)
