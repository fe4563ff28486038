"""Signals of the queues area: what other areas may count or react to (blinker)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# The training unit recorded (or corrected) the day an approved trainee attended: sender is the application,
# with before= and after= (dates, before None the first time).
attendance_recorded = _signals.signal("attendance-recorded")

# An application was decided (approved or rejected) and the queues have set its decision_working_days: sender is
# the application, with state= (blinker does not order receivers, so whoever needs those days listens here).
decided = _signals.signal("application-decided")
