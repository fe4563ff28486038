"""Lifecycles: a table of allowed moves and the one function that applies them.

A status column that has a lifecycle is written only here: `Lifecycle.apply` checks the move against the
table, makes the change with an update conditional on the state that was read (so of two people acting at
once exactly one wins), writes the audit row in the same transaction and sends the lifecycle's signal, to
which other areas connect. Creating a row in its initial state is done by the area with `lifecycle.initial`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from blinker import Signal
from flask_babel import gettext as _

from portal import audit
from portal.errors import InvalidTransition
from portal.extensions import db


@dataclass(frozen=True)
class Lifecycle:
    name: str  # audit object type and action prefix: "visit" -> "visit.confirm"
    model: type
    initial: str
    moves: Mapping[tuple[str, str], str]  # (state, action) -> next state
    labels: Mapping[str, object]  # state -> translatable label
    signal: Signal = field(default_factory=Signal, compare=False)
    column: str = "status"

    def allowed(self, state: str, action: str) -> str | None:
        return self.moves.get((state, action))

    def label(self, state: str | None) -> str:
        return str(self.labels.get(state, state or ""))

    def apply(
        self,
        obj,
        action: str,
        actor,
        *,
        refusal: str | None = None,
        values: dict | None = None,
        audit_after: dict | None = None,
        **signal_kwargs,
    ) -> str:
        """Move `obj` by `action`; raise InvalidTransition (with `refusal` if given) when the table says no."""
        before = getattr(obj, self.column)
        after = self.allowed(before, action)
        if after is None:
            raise InvalidTransition(refusal or _("现在的状态是“%(state)s”，不能这样操作。", state=self.label(before)))
        db.session.flush()
        column = getattr(self.model, self.column)
        result = db.session.execute(
            sa.update(self.model)
            .where(self.model.id == obj.id, column == before)
            .values({self.column: after, **(values or {})})
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(obj)
        if result.rowcount != 1:
            raise InvalidTransition(_("刚刚有人处理过这一项，请刷新后再看。"))
        audit.record(
            actor,
            f"{self.name}.{action}",
            self.name,
            obj.id,
            before={self.column: before},
            after={self.column: after, **(audit_after or {})},
        )
        self.signal.send(obj, action=action, before=before, after=after, actor=actor, **signal_kwargs)
        return after
