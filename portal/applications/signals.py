"""What the applications area tells other areas, inside the transaction that made the change.

- `submitted(application)`: an application was submitted; the queues area routes it to the responsible units.
- `transitioned(application, action=, before=, after=, event=, actor=)`: any move of an application's state
  machine (including the ones that keep the state, such as a message); queues keep their copies current, the
  applicant is told.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

submitted = _signals.signal("application-submitted")
transitioned = _signals.signal("application-transitioned")
