"""Per-applicant quotas: how many drafts, how many attachments and how many bytes one account may keep.

The limits are settings (APPLICANT_MAX_DRAFTS, APPLICANT_MAX_ATTACHMENTS, APPLICANT_MAX_UPLOAD_MB); a request
that would pass one gets a message at the field, and what was typed is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.applications import states
from portal.applications.models import Application, Attachment
from portal.errors import InvalidInput
from portal.extensions import db


def _setting(name: str) -> float:
    return float(current_app.config[name])


def drafts_of(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Application)
        .where(Application.applicant_id == user.id, Application.state == states.DRAFT)
    )


def check_new_draft(user: User) -> None:
    """Refuse a new draft when the account already keeps as many as allowed."""
    limit = int(_setting("APPLICANT_MAX_DRAFTS"))
    if drafts_of(user) >= limit:
        raise InvalidInput(
            _(
                "您已经有 %(n)s 份未提交的草稿，不能再新建。请在“我的申请”里接着填写已有的草稿；"
                "%(days)s 天没有改动的草稿会自动清除。",
                n=limit,
                days=int(_setting("DRAFT_EXPIRY_DAYS")),
            )
        )


def check_upload(user: User, new_bytes: int, new_count: int = 1) -> None:
    """Refuse an upload that would take the account past its number of files or total size."""
    count, used = db.session.execute(
        sa.select(sa.func.count(Attachment.id), sa.func.coalesce(sa.func.sum(Attachment.size), 0))
        .join(Application, Attachment.application_id == Application.id)
        .where(Application.applicant_id == user.id)
    ).one()
    max_count = int(_setting("APPLICANT_MAX_ATTACHMENTS"))
    if count + new_count > max_count:
        raise InvalidInput(_("您的账号最多可以保存 %(n)s 份材料，已经用完，请先删除草稿里不需要的材料。", n=max_count))
    max_bytes = int(_setting("APPLICANT_MAX_UPLOAD_MB") * 1024 * 1024)
    if int(used) + new_bytes > max_bytes:
        raise InvalidInput(
            _(
                "您的账号保存的材料合计不能超过 %(mb)s MB，这份文件放不下了，请先删除草稿里不需要的材料或压缩后再传。",
                mb=format(max_bytes / 1048576, "g"),
            )
        )
