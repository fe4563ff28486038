"""Which notices also go by SMS: per user and topic, for what need not reach a phone.

Codes, decisions and 补正 requests always go (their message templates say `{% block essential %}`); for the
other topics a user may turn SMS off on the settings page, and `messages.tell` asks `sms_wanted` before it
queues one. The inbox message is written either way.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.notify.models import NotifyPreference

# topic (the `purpose` of messages.tell) -> (label, hint, roles that receive it)
TOPICS = {
    "application": (
        _l("申请进度"),
        _l("已送达、已受理、转交、工作人员留言、安排导师乡村行"),
        ("applicant",),
    ),
    "visit": (
        _l("导师乡村行"),
        _l("报名、候补递补、活动改期或取消、预约确认结果"),
        ("applicant", "mentor"),
    ),
    "event": (
        _l("活动"),
        _l("活动报名、候补递补、改期或取消、邀请，以及活动前一天的提醒"),
        ("applicant",),
    ),
    "digest": (
        _l("每日待办摘要"),
        _l("新收件、转来的件、待确认的乡村行、即将超期和已超期的件（只发给单位负责人）"),
        ("staff",),
    ),
    "rating": (
        _l("好差评"),
        _l("差评整改的答复"),
        ("applicant",),
    ),
}
# purposes that fall under a topic's switch
ALIASES = {"overdue": "digest", "follow_up_staff": "digest", "follow_up": "rating"}


def topics_for(user) -> dict:
    return {code: spec for code, spec in TOPICS.items() if user.role in spec[2]}


def settings_of(user_id: int) -> dict[str, bool]:
    rows = db.session.scalars(sa.select(NotifyPreference).where(NotifyPreference.user_id == user_id)).all()
    chosen = {row.topic: row.sms for row in rows}
    return {code: chosen.get(code, True) for code in TOPICS}


def sms_wanted(user_id: int | None, purpose: str) -> bool:
    """Whether a non-essential SMS of this purpose may be sent to the user (yes unless turned off)."""
    topic = ALIASES.get(purpose, purpose)
    if user_id is None or topic not in TOPICS:
        return True
    row = db.session.get(NotifyPreference, (user_id, topic))
    return row is None or row.sms


def save(user, wanted: set[str]) -> dict[str, bool]:
    """Store the user's choice for each of their topics; audited with what changed."""
    before = settings_of(user.id)
    after = dict(before)
    for code in topics_for(user):
        value = code in wanted
        after[code] = value
        row = db.session.get(NotifyPreference, (user.id, code))
        if row is None:
            db.session.add(NotifyPreference(user_id=user.id, topic=code, sms=value))
        elif row.sms != value:
            row.sms, row.updated_at = value, utcnow()
    changed = {k: after[k] for k in after if after[k] != before[k]}
    if changed:
        audit.record(user, "notify.preferences", "user", user.id, before={k: before[k] for k in changed}, after=changed)
    return after
