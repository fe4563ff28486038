"""Queue rules: routing into queues, who may see and do what, deadlines, notifications, listing and export."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.applications import services as applications
from portal.applications import states
from portal.applications.models import Application
from portal.catalog.models import Unit
from portal.content.models import get_rules
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition, NotFound
from portal.extensions import db
from portal.notify import services as notify
from portal.queues.calendar import WorkCalendar
from portal.queues.models import QueueItem, QueueNote
from portal.routing import services as routing

OPEN, CLOSED, TRANSFERRED = "open", "closed", "transferred"
PAGE_SIZE = 25


def calendar() -> WorkCalendar:
    return WorkCalendar(get_rules("holidays"))


def today() -> date:
    return utcnow().astimezone().date()


# ---------------------------------------------------------------- notifications to the applicant


def _tell_applicant(application: Application, sms_text: str, subject: str, body: str) -> None:
    """Portal inbox plus an SMS (in Chinese, the applicant's language on this portal) in the outbox."""
    from flask import url_for

    link = url_for("applications.detail", tracking_no=application.tracking_no) if application.tracking_no else None
    notify.inbox(application.applicant_id, subject, body, link)
    if application.phone:
        notify.sms(application.phone, sms_text, purpose="application", user_id=application.applicant_id)


def _notify_for(application: Application, action: str, unit: Unit | None, message: str | None) -> None:
    no = application.tracking_no
    with force_locale("zh_Hans_CN"):
        texts = {
            "route": (
                _("【南阳返乡创业】您的申请%(no)s已送%(unit)s办理。", no=no, unit=unit.short_name if unit else ""),
                _("申请已送达办理单位"),
            ),
            "accept": (_("【南阳返乡创业】您的申请%(no)s已受理。", no=no), _("申请已受理")),
            "request_material": (
                _("【南阳返乡创业】您的申请%(no)s需要补正材料，请登录平台查看。", no=no),
                _("需要补正材料"),
            ),
            "approve": (_("【南阳返乡创业】您的申请%(no)s已批准，详情请登录平台查看。", no=no), _("申请已批准")),
            "reject": (_("【南阳返乡创业】您的申请%(no)s未通过，原因请登录平台查看。", no=no), _("申请未通过")),
            "transfer": (
                _("【南阳返乡创业】您的申请%(no)s已转交%(unit)s办理。", no=no, unit=unit.short_name if unit else ""),
                _("申请已转交"),
            ),
            "message": (
                _("【南阳返乡创业】工作人员就您的申请%(no)s给您留言，请登录平台查看。", no=no),
                _("工作人员留言"),
            ),
        }
        if action in texts:
            sms_text, subject = texts[action]
            _tell_applicant(application, sms_text, subject, message or subject)


# ---------------------------------------------------------------- routing (inside the submit transaction)


def route(application: Application) -> list[QueueItem]:
    decision = routing.decision_for(routing.facts_of(application))
    units = routing.units_by_code([decision.lead, *decision.co_review])
    lead = units.get(decision.lead)
    if lead is None:
        # the office unit is missing from units.yaml: this is a content error, not the applicant's
        raise RuntimeError(f"routing names unknown unit {decision.lead}")
    due = calendar().add_working_days(today(), decision.deadline_working_days)
    explanation = decision.as_dict()
    items = [_new_item(application, lead, "lead", due, explanation)]
    items += [_new_item(application, units[c], "co_review", due, explanation) for c in decision.co_review if c in units]
    co_names = "、".join(units[c].short_name for c in decision.co_review if c in units)
    with force_locale("zh_Hans_CN"):
        message = (
            _("已送%(lead)s办理，%(co)s会同审核。", lead=lead.name, co=co_names)
            if co_names
            else _("已送%(lead)s办理。", lead=lead.name)
        )
        if decision.triage:
            message = _("暂无对应的办理单位，已送领导小组办公室分办。")
    applications.transition(
        application,
        "route",
        None,
        message=message,
        unit=lead,
        details={"lead": decision.lead, "co_review": decision.co_review, "due_date": due.isoformat()},
    )
    _notify_for(application, "route", lead, message)
    return items


def _new_item(
    application: Application, unit: Unit, role: str, due: date, explanation: dict, from_unit: Unit | None = None
) -> QueueItem:
    item = QueueItem(
        application=application,
        unit=unit,
        role=role,
        status=OPEN,
        app_type=application.type,
        app_state=application.state,
        county_id=application.county_id,
        due_date=due,
        explanation=explanation,
        from_unit=from_unit,
    )
    db.session.add(item)
    return item


def on_transition(application: Application, action: str, before: str, after: str, event) -> None:
    """Keep the queue copies of the state current; pause and resume the clock; close items on a decision."""
    items = list(db.session.scalars(sa.select(QueueItem).where(QueueItem.application_id == application.id)))
    now_day = today()
    cal = None
    for item in items:
        item.app_state = after
        if item.status != OPEN:
            continue
        if after == states.NEEDS_MATERIAL and item.paused_since is None:
            item.paused_since = now_day
        elif before == states.NEEDS_MATERIAL and after != states.NEEDS_MATERIAL and item.paused_since:
            cal = cal or calendar()
            paused = cal.working_days_between(item.paused_since, now_day)
            item.due_date = cal.add_working_days(item.due_date, paused) if paused > 0 else item.due_date
            item.paused_since = None
        if after in states.FINAL_STATES:
            item.status = CLOSED
            item.closed_at = utcnow()


applications.SUBMIT_HOOKS.append(route)
applications.TRANSITION_HOOKS.append(on_transition)


# ---------------------------------------------------------------- access


def is_office(user: User) -> bool:
    return user.role in ("office", "admin")


def item_for(user: User, item_id: int) -> QueueItem:
    """An item the user may see: staff only their own unit's; office and admin all. Others: 404."""
    item = db.session.get(QueueItem, item_id)
    if item is None:
        raise NotFound()
    if is_office(user) or (user.role == "staff" and user.unit_id == item.unit_id):
        return item
    raise NotFound()


def _acting(user: User, item_id: int, *, lead_only: bool = False, claimed: bool = True) -> QueueItem:
    if user.role != "staff":
        raise NotFound()
    item = item_for(user, item_id)
    if item.status != OPEN:
        raise InvalidTransition(_("这一项已经办结或转出，不能再操作。"))
    if lead_only and item.role != "lead":
        raise InvalidTransition(_("只有牵头单位可以作这项操作。"))
    if claimed and item.claimed_by_id != user.id:
        if item.claimed_by_id is None:
            raise InvalidTransition(_("请先认领这一项再办理。"))
        raise InvalidTransition(_("这一项由%(name)s办理，您不能操作。", name=item.claimed_by.name))
    return item


def siblings(item: QueueItem) -> list[QueueItem]:
    return list(
        db.session.scalars(
            sa.select(QueueItem).where(QueueItem.application_id == item.application_id).order_by(QueueItem.id)
        )
    )


def notes(item: QueueItem) -> list[QueueNote]:
    return list(
        db.session.scalars(
            sa.select(QueueNote).where(QueueNote.application_id == item.application_id).order_by(QueueNote.id)
        )
    )


# ---------------------------------------------------------------- actions


def claim(user: User, item_id: int) -> QueueItem:
    item = _acting(user, item_id, claimed=False)
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
    audit.record(user, "queue.claim", "queue_item", item.id, after={"claimed_by": user.id})
    return item


def release(user: User, item_id: int) -> QueueItem:
    item = _acting(user, item_id, claimed=False)
    if item.claimed_by_id != user.id and not user.is_unit_lead:
        raise InvalidTransition(_("只有认领人或单位负责人可以退回这一项。"))
    before = item.claimed_by_id
    item.claimed_by_id, item.claimed_at = None, None
    audit.record(user, "queue.release", "queue_item", item.id, before={"claimed_by": before})
    return item


def assign(user: User, item_id: int, colleague_id: int) -> QueueItem:
    item = _acting(user, item_id, claimed=False)
    if not user.is_unit_lead:
        raise InvalidTransition(_("只有单位负责人可以分派。"))
    colleague = db.session.get(User, colleague_id)
    if colleague is None or colleague.role != "staff" or colleague.unit_id != item.unit_id or not colleague.active:
        raise InvalidInput(_("只能分派给本单位的工作人员。"), field="colleague")
    before = item.claimed_by_id
    item.claimed_by_id, item.claimed_at = colleague.id, utcnow()
    audit.record(
        user, "queue.assign", "queue_item", item.id, before={"claimed_by": before}, after={"claimed_by": colleague.id}
    )
    return item


def accept(user: User, item_id: int) -> QueueItem:
    item = _acting(user, item_id, lead_only=True)
    applications.transition(item.application, "accept", user, unit=item.unit, message=_("申请已受理。"))
    _notify_for(item.application, "accept", item.unit, None)
    return item


def request_material(user: User, item_id: int, missing: list[str], message: str) -> QueueItem:
    item = _acting(user, item_id, lead_only=True)
    missing = [m.strip()[:200] for m in missing if m and m.strip()]
    if not missing:
        raise InvalidInput(_("请列出需要补正的材料。"), field="missing")
    text = (message or "").strip()[:1000] or _("请按下列清单补正材料。")
    applications.transition(
        item.application, "request_material", user, unit=item.unit, message=text, details={"missing": missing}
    )
    _notify_for(item.application, "request_material", item.unit, text)
    return item


def pending_co_reviews(item: QueueItem) -> list[QueueItem]:
    return [s for s in siblings(item) if s.role == "co_review" and s.status == OPEN and s.opinion is None]


def approve(user: User, item_id: int, message: str = "") -> QueueItem:
    item = _acting(user, item_id, lead_only=True)
    waiting = pending_co_reviews(item)
    if waiting:
        names = "、".join(w.unit.short_name for w in waiting)
        raise InvalidTransition(_("还要等%(units)s提出会审意见，才能批准。", units=names))
    text = (message or "").strip()[:1000] or _("申请已批准。")
    applications.transition(item.application, "approve", user, unit=item.unit, message=text)
    _notify_for(item.application, "approve", item.unit, text)
    return item


def reject(user: User, item_id: int, reason: str) -> QueueItem:
    item = _acting(user, item_id, lead_only=True)
    reason = (reason or "").strip()[:1000]
    if len(reason) < 4:
        raise InvalidInput(_("请写明不予通过的理由，申请人能看到。"), field="reason")
    applications.transition(item.application, "reject", user, unit=item.unit, message=reason)
    _notify_for(item.application, "reject", item.unit, reason)
    return item


def transfer(user: User, item_id: int, unit_code: str, reason: str) -> QueueItem:
    item = _acting(user, item_id, lead_only=True)
    target = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
    if target is None or target.id == item.unit_id:
        raise InvalidInput(_("请选择另一个办理单位。"), field="unit")
    reason = (reason or "").strip()[:500]
    if len(reason) < 4:
        raise InvalidInput(_("请写明转交理由。"), field="reason")
    item.status, item.closed_at = TRANSFERRED, utcnow()
    new = _new_item(item.application, target, "lead", item.due_date, item.explanation or {}, from_unit=item.unit)
    new.paused_since = item.paused_since
    applications.transition(
        item.application,
        "transfer",
        user,
        unit=target,
        message=_(
            "%(from)s转交%(to)s办理：%(reason)s", **{"from": item.unit.name, "to": target.name, "reason": reason}
        ),
    )
    _notify_for(item.application, "transfer", target, reason)
    return new


def record_opinion(user: User, item_id: int, opinion: str, text: str) -> QueueItem:
    item = _acting(user, item_id)
    if item.role != "co_review":
        raise InvalidTransition(_("只有会同审核的单位需要提出意见。"))
    if opinion not in ("agree", "disagree"):
        raise InvalidInput(_("请选择同意或不同意。"), field="opinion")
    text = (text or "").strip()[:1000]
    if opinion == "disagree" and len(text) < 4:
        raise InvalidInput(_("不同意时请写明理由。"), field="opinion_text")
    item.opinion, item.opinion_text, item.opinion_by_id, item.opinion_at = opinion, text, user.id, utcnow()
    item.status, item.closed_at = CLOSED, utcnow()
    audit.record(user, "queue.opinion", "queue_item", item.id, after={"opinion": opinion})
    return item


def add_note(user: User, item_id: int, body: str) -> QueueNote:
    item = _acting(user, item_id, claimed=False)
    body = (body or "").strip()[:2000]
    if not body:
        raise InvalidInput(_("备注不能为空。"), field="note")
    note = QueueNote(application_id=item.application_id, unit_id=item.unit_id, author_id=user.id, body=body)
    db.session.add(note)
    audit.record(user, "queue.note", "queue_item", item.id)
    return note


def message_applicant(user: User, item_id: int, body: str) -> QueueItem:
    item = _acting(user, item_id, lead_only=True)
    body = (body or "").strip()[:1000]
    if not body:
        raise InvalidInput(_("留言不能为空。"), field="message")
    applications.transition(item.application, "message", user, unit=item.unit, message=body)
    _notify_for(item.application, "message", item.unit, body)
    return item


# ---------------------------------------------------------------- listing


@dataclass
class Filters:
    state: str | None = None
    type: str | None = None
    county_id: int | None = None
    overdue: bool = False
    mine: bool = False


@dataclass
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None
    counts: dict[str, int] = field(default_factory=dict)


def encode_cursor(item: QueueItem) -> str:
    return base64.urlsafe_b64encode(f"{item.due_date.isoformat()}|{item.id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[date, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        day, item_id = raw.split("|")
        return date.fromisoformat(day), int(item_id)
    except (ValueError, UnicodeDecodeError):
        return None


def _filtered(unit_id: int | None, filters: Filters, user: User | None):
    stmt = sa.select(QueueItem)
    if unit_id is not None:
        stmt = stmt.where(QueueItem.unit_id == unit_id)
    if filters.state:
        stmt = stmt.where(QueueItem.app_state == filters.state, QueueItem.status != TRANSFERRED)
    else:
        stmt = stmt.where(QueueItem.status == OPEN)
    if filters.type:
        stmt = stmt.where(QueueItem.app_type == filters.type)
    if filters.county_id:
        stmt = stmt.where(QueueItem.county_id == filters.county_id)
    if filters.overdue:
        stmt = stmt.where(QueueItem.due_date < today(), QueueItem.paused_since.is_(None), QueueItem.status == OPEN)
    if filters.mine and user is not None:
        stmt = stmt.where(QueueItem.claimed_by_id == user.id)
    return stmt


def queue_page(
    unit_id: int | None,
    filters: Filters,
    user: User | None,
    cursor: str | None = None,
    per_page: int = PAGE_SIZE,
    with_counts: bool = True,
) -> QueuePage:
    """One page of a unit's queue (or every unit's, for the office), by deadline, keyset-paginated."""
    stmt = _filtered(unit_id, filters, user)
    after = decode_cursor(cursor)
    if after:
        day, item_id = after
        # The redundant `due_date >= day` lets the database seek into the index instead of filtering every
        # earlier item (measured: halfway down a 130,000-item queue, 110 ms → 2 ms on PostgreSQL).
        stmt = stmt.where(
            QueueItem.due_date >= day,
            sa.or_(QueueItem.due_date > day, sa.and_(QueueItem.due_date == day, QueueItem.id > item_id)),
        )
    stmt = stmt.order_by(QueueItem.due_date, QueueItem.id).limit(per_page + 1)
    stmt = stmt.options(sa.orm.joinedload(QueueItem.application), sa.orm.joinedload(QueueItem.claimed_by))
    rows = list(db.session.scalars(stmt).unique())
    next_cursor = encode_cursor(rows[per_page - 1]) if len(rows) > per_page else None
    return QueuePage(rows[:per_page], next_cursor, state_counts(unit_id) if with_counts else {})


def state_counts(unit_id: int | None) -> dict[str, int]:
    stmt = sa.select(QueueItem.app_state, sa.func.count()).where(QueueItem.status != TRANSFERRED)
    if unit_id is not None:
        stmt = stmt.where(QueueItem.unit_id == unit_id)
    return dict(db.session.execute(stmt.group_by(QueueItem.app_state)).all())


def colleague_load(unit_id: int) -> list[tuple[User, int]]:
    staff = db.session.scalars(
        sa.select(User).where(User.unit_id == unit_id, User.role == "staff", User.active).order_by(User.name)
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(QueueItem.claimed_by_id, sa.func.count())
            .where(QueueItem.unit_id == unit_id, QueueItem.status == OPEN, QueueItem.claimed_by_id.is_not(None))
            .group_by(QueueItem.claimed_by_id)
        ).all()
    )
    return [(person, counts.get(person.id, 0)) for person in staff]


@dataclass
class Clock:
    days_left: int | None
    level: str  # ok, amber, red, paused, done
    due_date: date


def clock(item: QueueItem, cal: WorkCalendar | None = None) -> Clock:
    if item.status != OPEN:
        return Clock(None, "done", item.due_date)
    if item.paused_since:
        return Clock(None, "paused", item.due_date)
    cal = cal or calendar()
    left = cal.working_days_between(today(), item.due_date)
    warn = int(get_rules("routing").get("deadlines", {}).get("warn_working_days", 1))
    level = "red" if left < 0 else ("amber" if left <= warn else "ok")
    return Clock(left, level, item.due_date)


# ---------------------------------------------------------------- office overview and reminders


@dataclass
class UnitStats:
    unit: Unit
    open: int
    overdue: int
    closed: int
    average_days: float | None


def office_overview() -> list[UnitStats]:
    day = today()
    open_counts = dict(
        db.session.execute(
            sa.select(QueueItem.unit_id, sa.func.count()).where(QueueItem.status == OPEN).group_by(QueueItem.unit_id)
        ).all()
    )
    overdue = dict(
        db.session.execute(
            sa.select(QueueItem.unit_id, sa.func.count())
            .where(QueueItem.status == OPEN, QueueItem.due_date < day, QueueItem.paused_since.is_(None))
            .group_by(QueueItem.unit_id)
        ).all()
    )
    durations: dict[int, list[float]] = {}
    for unit_id, created, closed in db.session.execute(
        sa.select(QueueItem.unit_id, QueueItem.created_at, QueueItem.closed_at).where(QueueItem.status == CLOSED)
    ):
        if created and closed:
            durations.setdefault(unit_id, []).append(_as_aware(closed).timestamp() - _as_aware(created).timestamp())
    unit_ids = set(open_counts) | set(durations)
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    stats = []
    for unit_id in sorted(unit_ids, key=lambda i: units[i].code):
        spans = durations.get(unit_id, [])
        average = round(sum(spans) / len(spans) / 86400, 1) if spans else None
        stats.append(
            UnitStats(units[unit_id], open_counts.get(unit_id, 0), overdue.get(unit_id, 0), len(spans), average)
        )
    return stats


def _as_aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def calendar_warning() -> list[int]:
    """Years within the next 60 days that neither chinese-calendar nor content/holidays.yaml covers."""
    from datetime import timedelta

    day = today()
    return calendar().uncovered_years(day, day + timedelta(days=60))


def remind_overdue() -> int:
    """Tell each unit about its overdue items, once a day per item (run from cron: flask queues remind)."""
    day = today()
    items = db.session.scalars(
        sa.select(QueueItem).where(
            QueueItem.status == OPEN,
            QueueItem.due_date < day,
            QueueItem.paused_since.is_(None),
            sa.or_(QueueItem.reminded_on.is_(None), QueueItem.reminded_on < day),
        )
    ).all()
    by_unit: dict[int, list[QueueItem]] = {}
    for item in items:
        by_unit.setdefault(item.unit_id, []).append(item)
        item.reminded_on = day
    with force_locale("zh_Hans_CN"):
        for unit_id, unit_items in by_unit.items():
            staff = db.session.scalars(
                sa.select(User).where(User.unit_id == unit_id, User.role == "staff", User.active)
            ).all()
            numbers = "、".join(i.application.tracking_no or "" for i in unit_items[:10])
            for person in staff:
                notify.inbox(
                    person.id,
                    _("有 %(n)s 项申请已超过办理时限", n=len(unit_items)),
                    _("请尽快办理：%(numbers)s", numbers=numbers),
                    "/staff/queue?overdue=1",
                )
                if person.is_unit_lead:
                    notify.sms(
                        person.phone,
                        _("【南阳返乡创业】本单位有%(n)s项申请已超期，请登录平台办理。", n=len(unit_items)),
                        purpose="overdue",
                        user_id=person.id,
                    )
    return len(items)
