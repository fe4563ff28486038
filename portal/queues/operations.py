"""Acting on queue items: claim, release, assign, accept, ask for material, approve, reject, transfer,
co-review opinions, internal notes and messages to the applicant.

Access is checked first (queues.access), then the application moves through its own state machine
(`applications.states.transition`), whose signal keeps the items current and tells the applicant.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.applications import material
from portal.applications.states import transition
from portal.catalog.models import Unit
from portal.core.guard import parse_day
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition, NotFound
from portal.extensions import db
from portal.queues import access, counts
from portal.queues.intake import keep_promise, new_item
from portal.queues.models import QueueItem, QueueNote
from portal.queues.queries import item_for, local_day, pending_co_reviews, today
from portal.queues.signals import attendance_recorded
from portal.queues.states import ITEM, OPEN


def acting(user: User, item_id: int, *, lead_only: bool = False, claimed: bool = True) -> QueueItem:
    """The item, if `user` may act on it now; 404 for what they may not see, a message for the rest."""
    if not access.may_act(user):
        raise NotFound()
    item = item_for(user, item_id)
    problem = access.refusal(user, item, lead_only=lead_only, claimed=claimed)
    if problem:
        raise InvalidTransition(problem)
    return item


def deciding(user: User, item_id: int) -> QueueItem:
    """The lead item, if `user` may decide on it now (queues.access "queue_item.decide")."""
    if not access.may_act(user):
        raise NotFound()
    item = item_for(user, item_id)
    problem = access.decide_refusal(user, item, [w.unit.short_name for w in pending_co_reviews(item)])
    if problem:
        raise InvalidTransition(problem)
    return item


def claim(user: User, item_id: int) -> QueueItem:
    item = acting(user, item_id, claimed=False)
    result = db.session.execute(
        sa.update(QueueItem)
        .where(QueueItem.id == item.id, QueueItem.claimed_by_id.is_(None), QueueItem.status == OPEN)
        .values(claimed_by_id=user.id, claimed_at=utcnow(), version=QueueItem.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(item)
    if result.rowcount != 1:
        holder = item.claimed_by.name if item.claimed_by else _("别人")
        raise InvalidTransition(_("这一项已被%(name)s认领。", name=holder))
    counts.claim_moved(item, None, user.id)
    audit.record(user, "queue.claim", "queue_item", item.id, after={"claimed_by": user.id})
    return item


def _change_claimer(item: QueueItem, before: int | None, after: int | None) -> None:
    """Hand an open item from `before` to `after` (None: back to the unit's queue), only if nobody changed its
    claimer in between (of two colleagues acting at once exactly one wins, and the counters stay exact)."""
    same = QueueItem.claimed_by_id.is_(None) if before is None else QueueItem.claimed_by_id == before
    result = db.session.execute(
        sa.update(QueueItem)
        .where(QueueItem.id == item.id, QueueItem.status == OPEN, same)
        .values(claimed_by_id=after, claimed_at=utcnow() if after else None, version=QueueItem.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(item)
    if result.rowcount != 1:
        raise InvalidTransition(_("刚刚有人处理过这一项，请刷新后再看。"))
    counts.claim_moved(item, before, after)


def hand_back(item: QueueItem, claimer_id: int) -> bool:
    """Put an item `claimer_id` holds back in the unit's queue (their account closed or moved); False when someone
    changed its claimer meanwhile. The caller audits and tells the unit."""
    try:
        _change_claimer(item, claimer_id, None)
    except InvalidTransition:
        return False
    return True


def release(user: User, item_id: int) -> QueueItem:
    item = acting(user, item_id, claimed=False)
    if item.claimed_by_id != user.id and not user.is_unit_lead:
        raise InvalidTransition(_("只有认领人或单位负责人可以退回这一项。"))
    before = item.claimed_by_id
    _change_claimer(item, before, None)
    audit.record(user, "queue.release", "queue_item", item.id, before={"claimed_by": before})
    return item


def assign(user: User, item_id: int, colleague_id: int) -> QueueItem:
    item = acting(user, item_id, claimed=False)
    if not user.is_unit_lead:
        raise InvalidTransition(_("只有单位负责人可以分派。"))
    colleague = db.session.get(User, colleague_id)
    if colleague is None or colleague.role != "staff" or colleague.unit_id != item.unit_id or not colleague.active:
        raise InvalidInput(_("只能分派给本单位的工作人员。"), field="colleague")
    before = item.claimed_by_id
    _change_claimer(item, before, colleague.id)
    audit.record(
        user, "queue.assign", "queue_item", item.id, before={"claimed_by": before}, after={"claimed_by": colleague.id}
    )
    return item


def accept(user: User, item_id: int) -> QueueItem:
    item = acting(user, item_id, lead_only=True)
    transition(item.application, "accept", user, unit=item.unit, message=_("申请已受理。"))
    return item


def request_material(user: User, item_id: int, form) -> QueueItem:
    """一次性告知: one list of everything to correct or add (checklist entries and free text); a second request
    on the same application needs a reason, recorded as such (the office overview counts them)."""
    item = acting(user, item_id, lead_only=True)
    application = item.application
    free = [line for line in (form.get("missing") or "").splitlines() if line.strip()]
    codes = form.getlist("codes")
    items = material.build_request(application, codes, {c: form.get(f"note_{c}", "") for c in codes}, free)
    rounds = material.previous_requests(application)
    reason = (form.get("second_reason") or "").strip()[:500]
    if rounds and len(reason) < 4:
        raise InvalidInput(
            _("这份申请已经要求过补正。一次性告知要求一次讲清；确需再次补正，请写明理由（会报领导小组办公室）。"),
            field="second_reason",
        )
    details = {"items": items, "missing": [i["label"] for i in items], "round": rounds + 1}
    if rounds:
        details["second_reason"] = reason
    text = (form.get("message") or "").strip()[:1000] or _("请按下列清单补正，一次补齐。")
    transition(application, "request_material", user, unit=item.unit, message=text, details=details)
    return item


def approve(user: User, item_id: int, message: str = "") -> QueueItem:
    item = deciding(user, item_id)
    text = (message or "").strip()[:1000] or _("申请已批准。")
    transition(item.application, "approve", user, unit=item.unit, message=text)
    return item


def mark_attended(user: User, item_id: int, day_text: str) -> QueueItem:
    """The training unit records the day an approved trainee attended (it counts toward 返乡创业培训 then)."""
    if not access.may_act(user):
        raise NotFound()
    item = item_for(user, item_id)
    application = item.application
    problem = access.attendance_refusal(item)
    if problem:
        raise InvalidTransition(problem)
    day = parse_day(day_text)
    if day is None:
        raise InvalidInput(_("请按“年-月-日”填写参训日期，例如 2026-05-08。"), field="attended_on")
    decided = local_day(application.decided_at) if application.decided_at else None
    if day > today() or (decided and day < decided):
        raise InvalidInput(_("参训日期应在批准之后、今天或以前。"), field="attended_on")
    before = application.attended_on
    application.attended_on = day
    attendance_recorded.send(application, before=before, after=day)
    audit.record(
        user,
        "application.attended",
        "application",
        application.id,
        before={"attended_on": before.isoformat() if before else None},
        after={"attended_on": day.isoformat()},
    )
    return item


def reject(user: User, item_id: int, reason: str) -> QueueItem:
    item = acting(user, item_id, lead_only=True)
    reason = (reason or "").strip()[:1000]
    if len(reason) < 4:
        raise InvalidInput(_("请写明不予通过的理由，申请人能看到。"), field="reason")
    transition(item.application, "reject", user, unit=item.unit, message=reason)
    return item


def transfer(user: User, item_id: int, unit_code: str, reason: str) -> QueueItem:
    item = acting(user, item_id, lead_only=True)
    target = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
    if target is None or target.id == item.unit_id:
        raise InvalidInput(_("请选择另一个办理单位。"), field="unit")
    reason = (reason or "").strip()[:500]
    if len(reason) < 4:
        raise InvalidInput(_("请写明转交理由。"), field="reason")
    ITEM.apply(item, "transfer", user, values={"closed_at": utcnow()}, audit_after={"to": target.code})
    new = new_item(
        item.application,
        target,
        "lead",
        item.due_date,
        item.explanation or {},
        from_unit=item.unit,
        paused_since=item.paused_since,
    )
    keep_promise(item.application, new, "transferred")
    transition(
        item.application,
        "transfer",
        user,
        unit=target,
        message=_(
            "%(from)s转交%(to)s办理：%(reason)s", **{"from": item.unit.name, "to": target.name, "reason": reason}
        ),
    )
    return new


def record_opinion(user: User, item_id: int, opinion: str, text: str) -> QueueItem:
    item = acting(user, item_id)
    if item.role != "co_review":
        raise InvalidTransition(_("只有会同审核的单位需要提出意见。"))
    if opinion not in ("agree", "disagree"):
        raise InvalidInput(_("请选择同意或不同意。"), field="opinion")
    text = (text or "").strip()[:1000]
    if opinion == "disagree" and len(text) < 4:
        raise InvalidInput(_("不同意时请写明理由。"), field="opinion_text")
    now = utcnow()
    ITEM.apply(
        item,
        "opinion",
        user,
        values={
            "opinion": opinion,
            "opinion_text": text,
            "opinion_by_id": user.id,
            "opinion_at": now,
            "closed_at": now,
        },
        audit_after={"opinion": opinion},
    )
    return item


def add_note(user: User, item_id: int, body: str) -> QueueNote:
    item = acting(user, item_id, claimed=False)
    body = (body or "").strip()[:2000]
    if not body:
        raise InvalidInput(_("备注不能为空。"), field="note")
    note = QueueNote(application_id=item.application_id, unit_id=item.unit_id, author_id=user.id, body=body)
    db.session.add(note)
    audit.record(user, "queue.note", "queue_item", item.id)
    return note


def message_applicant(user: User, item_id: int, body: str) -> QueueItem:
    item = acting(user, item_id, lead_only=True)
    body = (body or "").strip()[:1000]
    if not body:
        raise InvalidInput(_("留言不能为空。"), field="message")
    transition(item.application, "message", user, unit=item.unit, message=body)
    return item
