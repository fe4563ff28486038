"""Writing ratings: rate (or change within the period), open a follow-up for a poor rating, the lead's answer,
the rater's feedback. Every change is audited; nothing commits here (one commit per request)."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import User
from portal.applications.queries import for_applicant
from portal.content.models import get_rules
from portal.core import tally
from portal.core.access import can, require
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition, NotFound
from portal.extensions import db
from portal.notify import messages
from portal.notify.digest import beijing_today
from portal.queues.calendar import WorkCalendar
from portal.ratings.models import FollowUp, Rating
from portal.ratings.states import FOLLOW_UP
from portal.ratings.vocab import LEVELS, POOR, REASONS

COMMENT_MAX = 500
ANSWER_MAX = 1000


def aware(value):
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def parse_level(raw: str | None) -> int:
    value = (raw or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) == 1 and int(value) in LEVELS):
        raise InvalidInput(_("请选择一个评价等级：从“非常满意”到“非常不满意”。"), field="level")
    return int(value)


def _checked(level: str | None, reasons: list[str], comment: str | None) -> tuple[int, list[str], str | None]:
    value = parse_level(level)
    unknown = [r for r in reasons if r not in REASONS]
    if unknown:
        raise InvalidInput(_("请从列出的原因中选择。"), field="reasons")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(_("评价意见最多 %(n)s 个字。", n=COMMENT_MAX), field="comment")
    return value, list(dict.fromkeys(reasons)), comment or None


def rate(user: User, tracking_no: str, level: str | None, reasons: list[str], comment: str | None, change: bool):
    """Rate a decided application of one's own, or change one's rating within the period."""
    application = for_applicant(user, tracking_no)  # anyone else's: 404
    if not can(user, "application.rate", application):
        raise InvalidTransition(_("这份申请还没有办结，办结（批准或不予通过）后才能评价。"))
    value, reasons, comment = _checked(level, reasons, comment)
    existing = db.session.scalar(sa.select(Rating).where(Rating.application_id == application.id))
    if existing is not None:
        return _change(user, existing, value, reasons, comment, change)
    days = current_app.config.get("RATING_CHANGE_DAYS", 7)
    unit = application.handling_unit
    rating = Rating(
        application_id=application.id,
        rater_id=user.id,
        unit_id=unit.id if unit else None,
        county_id=unit.county_id if unit else None,
        month=beijing_today().strftime("%Y-%m"),
        level=value,
        reasons=reasons,
        comment=comment,
        changeable_until=utcnow() + timedelta(days=days),
    )
    try:
        with db.session.begin_nested():
            db.session.add(rating)
            db.session.flush()
    except IntegrityError:  # the same form sent twice at once: the other one won
        raise InvalidTransition(_("您已经评价过这份申请。")) from None
    _count(rating, value, 1)
    audit.record(user, "rating.create", "rating", rating.id, after={"level": value, "application": application.id})
    if value <= POOR:
        _open_follow_up(user, rating)
    return rating


def _count(rating: Rating, level: int, n: int) -> None:
    """The ratings counter (core.tally "ratings": month, the unit's county, level) the public statistics read."""
    tally.bump("ratings", date.fromisoformat(f"{rating.month}-01"), county_id=rating.county_id, kind=str(level), n=n)


def source_ratings():
    stmt = sa.select(Rating.month, Rating.county_id, Rating.level, sa.func.count()).group_by(
        Rating.month, Rating.county_id, Rating.level
    )
    return {
        (date.fromisoformat(f"{month}-01"), county or 0, 0, str(level)): (n, Decimal(0))
        for month, county, level, n in db.session.execute(stmt)
    }


def _change(user: User, rating: Rating, value: int, reasons: list[str], comment: str | None, change: bool):
    days = current_app.config.get("RATING_CHANGE_DAYS", 7)
    if not change:
        raise InvalidTransition(_("您已经评价过这份申请。评价后 %(days)s 天内可以在下面“修改评价”。", days=days))
    if utcnow() > aware(rating.changeable_until):
        raise InvalidTransition(_("评价只能在提交后 %(days)s 天内修改，现在已不能修改。", days=days))
    before = {"level": rating.level, "reasons": rating.reasons, "comment": bool(rating.comment)}
    moved = db.session.execute(
        sa.update(Rating)
        .where(Rating.id == rating.id, Rating.level == rating.level, Rating.changes == rating.changes)
        .values(level=value, reasons=reasons, comment=comment, changes=Rating.changes + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # the same rating changed in another tab at the same moment
        raise InvalidTransition(_("这条评价刚刚被修改过，请刷新后再看。"))
    _count(rating, before["level"], -1)
    _count(rating, value, 1)
    db.session.refresh(rating)
    audit.record(user, "rating.change", "rating", rating.id, before=before, after={"level": value})
    if value <= POOR and rating.follow_up is None:
        _open_follow_up(user, rating)
    return rating


def _open_follow_up(user: User, rating: Rating) -> FollowUp | None:
    """A poor rating opens a follow-up for the handling unit's lead, due in working days; the leads are told."""
    if rating.unit_id is None:
        return None
    days = current_app.config.get("FOLLOW_UP_WORKING_DAYS", 5)
    due = WorkCalendar(get_rules("holidays")).add_working_days(beijing_today(), days)
    follow_up = FollowUp(rating_id=rating.id, unit_id=rating.unit_id, status=FOLLOW_UP.initial, due_date=due)
    db.session.add(follow_up)
    db.session.flush()
    audit.record(user, "rating_follow_up.open", "rating_follow_up", follow_up.id, after={"due": due.isoformat()})
    leads = db.session.scalars(
        sa.select(User).where(User.unit_id == rating.unit_id, User.role == "staff", User.active, User.is_unit_lead)
    ).all()
    for lead in leads:
        messages.tell(
            "ratings/notify/follow_up.txt",
            user_id=lead.id,
            phone=lead.phone,
            purpose="follow_up_staff",
            link=f"/staff/ratings/follow-ups/{follow_up.id}",
            no=rating.application.tracking_no,
            level=str(LEVELS[rating.level]),
            due=due,
        )
    return follow_up


def follow_up_for(user: User, follow_up_id: int) -> FollowUp:
    return require(user, "follow_up.view", db.session.get(FollowUp, follow_up_id))


def answer(user: User, follow_up_id: int, text: str) -> FollowUp:
    follow_up = follow_up_for(user, follow_up_id)
    if not can(user, "follow_up.answer", follow_up):
        if follow_up.status != "open":
            raise InvalidTransition(_("这项整改已经答复过了。"))
        raise InvalidTransition(_("整改答复由本单位负责人填写。"))
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请写明整改情况和对评价人的答复。"), field="answer")
    if len(text) > ANSWER_MAX:
        raise InvalidInput(_("答复最多 %(n)s 个字。", n=ANSWER_MAX), field="answer")
    FOLLOW_UP.apply(
        follow_up,
        "answer",
        user,
        values={"answer": text, "answered_by_id": user.id, "answered_at": utcnow()},
    )
    rating = follow_up.rating
    messages.tell(
        "ratings/notify/answered.txt",
        user_id=rating.rater_id,
        phone=rating.rater.phone,
        purpose="follow_up",
        link=f"/my/applications/{rating.application.tracking_no}",
        body=text,
        no=rating.application.tracking_no,
    )
    return follow_up


def feedback(user: User, follow_up_id: int, resolved: str | None) -> FollowUp:
    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.rating.rater_id != user.id:
        raise NotFound()
    if resolved not in ("yes", "no"):
        raise InvalidInput(_("请选择问题是否已经解决。"), field="resolved")
    if not can(user, "follow_up.feedback", follow_up):
        raise InvalidTransition(_("现在不能对这项整改作评价：还没有答复，或您已经评价过。"))
    FOLLOW_UP.apply(follow_up, "confirm" if resolved == "yes" else "dispute", user, values={"feedback_at": utcnow()})
    if resolved == "no":
        _tell_office(follow_up)
    return follow_up


def _tell_office(follow_up: FollowUp) -> None:
    """An answer the rater did not accept goes to the leading group office (an inbox message to each of its staff)."""
    rating = follow_up.rating
    unit = rating.unit.name if rating.unit else ""
    for office_user in db.session.scalars(sa.select(User).where(User.role == "office", User.active)):
        messages.tell(
            "ratings/notify/disputed.txt",
            user_id=office_user.id,
            phone=None,
            purpose="follow_up",
            link="/office/ratings?by=unit",
            no=rating.application.tracking_no,
            unit=unit,
        )
