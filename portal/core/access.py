"""Named access rules: the one place that says who may see or do what to which object.

Each area registers its checks in its own `access.py` (in the spirit of CKAN's auth functions):

    @rule("queue_item.decide")
    def _decide(user, item): ...

and services, views and templates ask `can(user, "queue_item.decide", item)`. An object a user may not see
answers 404 everywhere (`require` raises NotFound), so that its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask_login import current_user

from portal.errors import NotFound

Check = Callable[..., bool]
_RULES: dict[str, Check] = {}


def rule(name: str) -> Callable[[Check], Check]:
    """Register a named check; a name is registered once (a second one is a programming error)."""

    def register(check: Check) -> Check:
        if name in _RULES and _RULES[name] is not check:
            raise RuntimeError(f"access rule {name!r} registered twice")
        _RULES[name] = check
        return check

    return register


def can(user, name: str, obj=None) -> bool:
    """Whether `user` (possibly anonymous or None) may do `name` to `obj`."""
    check = _RULES[name]  # an unknown name is a programming error, not a refusal
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", True):
        return bool(check(None, obj))
    return bool(check(user, obj))


def require(user, name: str, obj=None):
    """`obj` when the user may; otherwise NotFound, as if it did not exist."""
    if not can(user, name, obj):
        raise NotFound()
    return obj


def init_app(app: Flask) -> None:
    app.jinja_env.globals["can"] = lambda name, obj=None: can(current_user, name, obj)
