"""Writes of the rules area: a year's holiday schedule (and the deadlines it moves), routing changes from draft to
published. Every one audited; none commits (core.transaction commits once per request)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.content.models import RuleSet
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition
from portal.extensions import db
from portal.queues import deadlines
from portal.queues import queries as queue_queries
from portal.rules import routing_text
from portal.rules.holidays import check_schedule
from portal.rules.models import HolidaySchedule, RoutingChange
from portal.rules.states import ROUTING_CHANGE


def _invalid(errors: dict[str, str]) -> InvalidInput:
    exc = InvalidInput(next(iter(errors.values())))
    exc.errors = errors
    return exc


def save_schedule(
    user, year: int, off_text: str, workdays_text: str, notice: str, notice_date: date, version: int | None = None
) -> tuple[HolidaySchedule, int]:
    """Enter (or correct) a year's official schedule; open items' deadlines follow.
    Returns (row, number of applications whose deadline moved)."""
    schedule = check_schedule(year, off_text, workdays_text)
    if schedule.errors:
        raise _invalid(schedule.errors)
    row = db.session.get(HolidaySchedule, year)
    if row is not None and version is not None and row.version != version:
        raise InvalidTransition(_("刚刚有人修改了%(year)s年的安排，请看过新的内容后再保存。", year=year))
    before_calendar = queue_queries.calendar()
    before = {"off": row.off, "workdays": row.workdays, "notice": row.notice} if row else None
    if row is None:
        row = HolidaySchedule(year=year)
        db.session.add(row)
    else:
        row.version += 1
    row.off = sorted(d.isoformat() for d in schedule.off)
    row.workdays = sorted(d.isoformat() for d in schedule.workdays)
    row.notice, row.notice_date = notice, notice_date
    row.entered_by_id, row.entered_at = user.id, utcnow()
    db.session.flush()
    after = {"off": row.off, "workdays": row.workdays, "notice": notice, "notice_date": notice_date.isoformat()}
    audit.record(user, "holiday_schedule.save", "holiday_schedule", year, before=before, after=after)
    reason = _("因国务院办公厅公布%(year)s年节假日安排，", year=year)
    moved = deadlines.recalculate(before_calendar, queue_queries.calendar(), year, reason)
    applications = len({item.application_id for item in moved})
    if moved:
        after = {"items": len(moved), "applications": applications}
        audit.record(user, "holiday_schedule.deadlines", "holiday_schedule", year, after=after)
    return row, applications


# ---------------------------------------------------------------------------------------------- routing changes


def propose_routing(user, text: str, note: str) -> RoutingChange:
    """A draft of the whole rule set; validated as `content load` validates routing.yaml."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # browsers send CRLF
    data, problems = routing_text.parse(text)
    if problems:
        raise _invalid({"text": " ".join(problems[:8])})
    if data == routing_text.in_force():
        raise _invalid({"text": _("与现行规则相同，没有需要审核的修改。")})
    change = RoutingChange(
        status=ROUTING_CHANGE.initial,
        text=text,
        data=data,
        base_text=routing_text.current_text(),
        base_digest=routing_text.digest(routing_text.in_force()),
        note=note,
        author_id=user.id,
    )
    db.session.add(change)
    db.session.flush()
    audit.record(user, "routing_change.propose", "routing_change", change.id, after={"note": note})
    return change


def publish_routing(user, change: RoutingChange) -> RoutingChange:
    """A second administrator publishes a draft: from now on, applications submitted are routed by it."""
    if routing_text.digest(routing_text.in_force()) != change.base_digest:
        raise InvalidTransition(_("这份草稿起草后，现行规则已被另一项修改更新。请作者撤回，按现行规则重新起草。"))
    ROUTING_CHANGE.apply(change, "publish", user, values={"reviewer_id": user.id, "decided_at": utcnow()})
    rule_set = db.session.scalar(sa.select(RuleSet).where(RuleSet.name == "routing"))
    if rule_set is None:
        rule_set = RuleSet(name="routing")
        db.session.add(rule_set)
    rule_set.data = change.data
    rule_set.source = str(change.data.get("source", ""))
    rule_set.changed_in_portal_at = utcnow()  # content load reports a conflict instead of overwriting it
    db.session.flush()
    return change


def reject_routing(user, change: RoutingChange, reason: str) -> RoutingChange:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _invalid({"reason": _("请写明不通过的理由，作者能看到。")})
    values = {"reviewer_id": user.id, "decided_at": utcnow(), "reason": reason[:500]}
    ROUTING_CHANGE.apply(change, "reject", user, values=values, audit_after={"reason": reason[:500]})
    return change


def withdraw_routing(user, change: RoutingChange) -> RoutingChange:
    ROUTING_CHANGE.apply(change, "withdraw", user, values={"decided_at": utcnow()})
    return change
