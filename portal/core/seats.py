"""Seats with a waiting list: the one mechanism behind every sign-up that has a capacity (the sign-ups of
创业导师乡村行 visits, the registrations of events).

A `Seats` names the thing with places (a model with `id` and `capacity`), the sign-up model (its key to that
thing, `user_id`, a status column, `created_at` and `cancelled_at`) and the sign-up's lifecycle, whose table must
have these moves:

    (seated, "cancel") -> withdrawn     (waiting, "cancel") -> withdrawn     (waiting, "promote") -> seated
    (withdrawn, "rejoin") -> seated     (withdrawn, "rejoin_waiting") -> waiting

The rules, the same everywhere:

- while the row with places is locked (`lock`: SELECT … FOR UPDATE on PostgreSQL; SQLite writers already queue,
  each writing transaction starts with BEGIN IMMEDIATE), the seats taken are counted from the rows and a new
  sign-up is seated if one is left, else put on the waiting list: of two people taking the last seat at once,
  exactly one gets it;
- someone who withdrew and comes back joins again at the back (`created_at` is renewed);
- a seat freed by a withdrawal (or by more places) goes to the waiting list in the order people joined it.

A new sign-up is created in a starting state (seated or waiting); every later move goes through the lifecycle
(`Lifecycle.apply`: conditional update, audit, signal). Who may sign up, until when, and what each person is told
are the area's: it checks before calling `join` and passes `on_promoted` to `promote`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from portal import audit
from portal.core.lifecycle import Lifecycle
from portal.db import utcnow
from portal.errors import InvalidTransition
from portal.extensions import db


@dataclass(frozen=True)
class Seats:
    parent: type  # the model with places: `id`, `capacity`
    lifecycle: Lifecycle  # the sign-up's; its model is the sign-up model
    parent_key: str  # the sign-up's column naming the parent ("visit_id")
    seated: str
    waiting: str
    withdrawn: str
    audit_action: str  # written when a sign-up is created ("visit.signup"), on the parent
    audit_type: str  # the parent's audit object type ("visit")

    @property
    def model(self) -> type:
        return self.lifecycle.model

    def _key(self):
        return getattr(self.model, self.parent_key)

    def lock(self, parent_id: int) -> None:
        """Lock the row with places until the transaction ends (PostgreSQL); SQLite writers already queue."""
        db.session.execute(sa.select(self.parent.id).where(self.parent.id == parent_id).with_for_update())

    def taken(self, parent) -> int:
        """Seats taken, counted from the rows (not from a copy in memory)."""
        column = getattr(self.model, self.lifecycle.column)
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(self.model).where(self._key() == parent.id, column == self.seated)
        )

    def left(self, parent) -> int:
        return max(0, parent.capacity - self.taken(parent))

    def of(self, parent, user_id: int):
        """The user's sign-up for this parent (in any state), or None."""
        return db.session.scalar(sa.select(self.model).where(self._key() == parent.id, self.model.user_id == user_id))

    def join(self, user, parent):
        """A seat while there is one, else a place on the waiting list; call with `parent` locked.

        Returns (sign-up, joined): `joined` is False when the user already had a seat or a place in the line."""
        seated = self.taken(parent) < parent.capacity
        signup = self.of(parent, user.id)
        if signup is not None:
            if getattr(signup, self.lifecycle.column) in (self.seated, self.waiting):
                return signup, False
            self.lifecycle.apply(
                signup,
                "rejoin" if seated else "rejoin_waiting",
                user,
                values={"cancelled_at": None, "created_at": utcnow()},
            )
            return signup, True
        # a sign-up starts seated or waiting (the lifecycle's documented starting states)
        signup = self.model(
            **{self.parent_key: parent.id, "user_id": user.id, self.lifecycle.column: self._start(seated)}
        )
        db.session.add(signup)
        db.session.flush()
        audit.record(user, self.audit_action, self.audit_type, parent.id, after={"status": self._start(seated)})
        return signup, True

    def _start(self, seated: bool) -> str:
        return self.seated if seated else self.waiting

    def leave(self, user, parent, refusal: str):
        """Withdraw the user's sign-up (seat or waiting place); call with `parent` locked.

        Returns (sign-up, whether it held a seat): the caller then gives the seat on with `promote`."""
        signup = self.of(parent, user.id)
        if signup is None:
            raise InvalidTransition(refusal)
        was = getattr(signup, self.lifecycle.column)
        self.lifecycle.apply(signup, "cancel", user, refusal=refusal, values={"cancelled_at": utcnow()})
        return signup, was == self.seated

    def promote(self, parent, reason: str, on_promoted: Callable[[object, str], None] | None = None) -> list:
        """Free seats go to the waiting list in the order people joined it; `on_promoted(sign-up, reason)` tells
        each one (reason: "withdrawal" or "capacity")."""
        db.session.flush()
        free = parent.capacity - self.taken(parent)
        if free <= 0:
            return []
        column = getattr(self.model, self.lifecycle.column)
        waiting = db.session.scalars(
            sa.select(self.model)
            .where(self._key() == parent.id, column == self.waiting)
            .order_by(self.model.created_at, self.model.id)
            .limit(free)
        ).all()
        for signup in waiting:
            self.lifecycle.apply(signup, "promote", None, audit_after={"reason": reason})
            if on_promoted is not None:
                on_promoted(signup, reason)
        return list(waiting)


def seat_lifecycle(name: str, model: type, seated: str, waiting: str, withdrawn: str, signal) -> Lifecycle:
    """The sign-up lifecycle every `Seats` needs (the moves listed above), with its states' names and labels."""
    from flask_babel import lazy_gettext as _l

    return Lifecycle(
        name=name,
        model=model,
        initial=seated,  # or `waiting` when there is no place left
        moves={
            (seated, "cancel"): withdrawn,
            (waiting, "cancel"): withdrawn,
            (waiting, "promote"): seated,
            (withdrawn, "rejoin"): seated,
            (withdrawn, "rejoin_waiting"): waiting,
        },
        labels={seated: _l("已报名"), waiting: _l("候补"), withdrawn: _l("已取消报名")},
        signal=signal,
    )
