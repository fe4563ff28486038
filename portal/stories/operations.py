"""Writing stories: the text and its links, photos, the person's consent, and the moves of the lifecycle. Every
change is audited; the caller's request commits once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.catalog.vocab import INDUSTRIES
from portal.core.access import require
from portal.core.clock import BEIJING
from portal.core.guard import ascii_int, day_problem, parse_day
from portal.db import utcnow
from portal.errors import InvalidInput, InvalidTransition, NotFound
from portal.extensions import db
from portal.stories import photos, queries
from portal.stories.models import Story, StoryConsent, StoryPhoto, StorySupport
from portal.stories.states import EDITABLE, PUBLISHED, STORY, SUBMITTED
from portal.stories.vocab import CONSENT_METHODS, SUPPORT_KINDS
from portal.ventures import queries as ventures

TITLE_MAX, BODY_MIN, BODY_MAX, NOTE_MAX = 120, 20, 20000, 1000
MAX_PHOTOS = 12


class StoryErrors(InvalidInput):
    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def plain(raw: object) -> str:
    return ("" if raw is None else str(raw)).replace("\r\n", "\n").strip()


def _too_long(maximum: int, text: str) -> str:
    return _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=maximum, n=len(text))


def _checked(values: Mapping[str, object], supports: Mapping[str, list[str]]) -> tuple[dict, dict[str, list[str]]]:
    errors: dict[str, str] = {}
    title, body = plain(values.get("title")), plain(values.get("body"))
    if len(title) < 2:
        errors["title"] = _("请填写标题。")
    elif len(title) > TITLE_MAX:
        errors["title"] = _too_long(TITLE_MAX, title)
    if len(body) < BODY_MIN:
        errors["body"] = _("正文太短了，至少写 %(min)s 个字。", min=BODY_MIN)
    elif len(body) > BODY_MAX:
        errors["body"] = _too_long(BODY_MAX, body)
    county = queries.counties_by_key().get(plain(values.get("county")))
    if county is None:
        errors["county"] = _("请选择县区。")
    industry = plain(values.get("industry"))
    if industry not in INDUSTRIES:
        errors["industry"] = _("请从列表里选择行业。")
    raw_venture = plain(values.get("venture_id"))
    venture_id = None
    if raw_venture:
        venture_id = ascii_int(raw_venture, 1)
        if venture_id is None or ventures.get(venture_id) is None:
            errors["venture_id"] = _("没有这个编号的项目，请核对项目展示页网址末尾的数字。")
    chosen: dict[str, list[str]] = {}
    for kind in SUPPORT_KINDS:
        keys = [plain(k) for k in supports.get(kind, []) if plain(k)]
        known = {slug for slug, _name in queries.support_choices(kind)} if keys else set()
        if any(k not in known for k in keys):
            errors[kind] = _("请从列表里选择。")
        chosen[kind] = list(dict.fromkeys(keys))
    if errors:
        raise StoryErrors(errors)
    fields = {"title": title, "body": body, "county_id": county.id, "industry": industry, "venture_id": venture_id}
    return fields, chosen


def save(user: User, story_id: int | None, values: Mapping[str, object], supports: Mapping[str, list[str]]) -> Story:
    """A new story (a draft), or changes to a draft or unpublished one."""
    require(user, "story.edit")
    fields, chosen = _checked(values, supports)
    if story_id is None:
        story = Story(author_id=user.id, status=STORY.initial, **fields)
        db.session.add(story)
        before = None
    else:
        story = queries.editable(user, story_id)
        if story.status not in EDITABLE:
            raise InvalidTransition(_("这篇故事现在是“%(state)s”，不能修改。", state=STORY.label(story.status)))
        before = {"title": story.title, "county": story.county_id, "industry": story.industry}
        for name, value in fields.items():
            setattr(story, name, value)
        story.version += 1
    story.supports = [StorySupport(kind=kind, key=key) for kind, keys in chosen.items() for key in keys]
    db.session.flush()
    after = {"title": story.title, "county": story.county_id, "industry": story.industry, "supports": chosen}
    audit.record(
        user, "story.create" if before is None else "story.edit", "story", story.id, before=before, after=after
    )
    return story


# ---------------------------------------------------------------- photos


def add_photo(user: User, story_id: int, data: bytes, alt: str, caption: str = "") -> StoryPhoto:
    require(user, "story.edit")
    story = queries.editable(user, story_id)
    alt, caption = plain(alt), plain(caption)
    errors = {}
    if len(alt) < 2:
        errors["alt"] = _("请写明照片上是什么（替代文字），看不见图片的读者靠它了解照片。")
    elif len(alt) > 200:
        errors["alt"] = _too_long(200, alt)
    if len(caption) > 200:
        errors["caption"] = _too_long(200, caption)
    if len(story.photos) >= MAX_PHOTOS:
        errors["photo"] = _("一篇故事最多 %(n)s 张照片。", n=MAX_PHOTOS)
    if errors:
        raise StoryErrors(errors)
    photo, thumb, width, height = photos.process(data)
    row = StoryPhoto(story_id=story.id, alt=alt, caption=caption or None, data=photo, thumb=thumb,
                     width=width, height=height)  # fmt: skip
    db.session.add(row)
    story.updated_at = utcnow()
    db.session.flush()
    audit.record(user, "story.photo_add", "story", story.id, after={"photo": row.id, "bytes": len(photo)})
    return row


def delete_photo(user: User, story_id: int, photo_id: int) -> None:
    require(user, "story.edit")
    story = queries.editable(user, story_id)
    row = db.session.get(StoryPhoto, photo_id)
    if row is None or row.story_id != story.id:
        raise NotFound()
    db.session.delete(row)
    story.updated_at = utcnow()
    audit.record(user, "story.photo_delete", "story", story.id, after={"photo": photo_id})


# ---------------------------------------------------------------- the person's consent


def record_consent(user: User, story_id: int, values: Mapping[str, object], scan: bytes = b"") -> StoryConsent:
    require(user, "story.edit")
    story = queries.editable(user, story_id)
    errors: dict[str, str] = {}
    person = plain(values.get("person_name"))
    if len(person) < 2:
        errors["person_name"] = _("请填写同意人的姓名。")
    elif len(person) > 32:
        errors["person_name"] = _too_long(32, person)
    method = plain(values.get("method"))
    if method not in CONSENT_METHODS:
        errors["method"] = _("请选择同意的方式。")
    raw_day = plain(values.get("consented_on"))
    on = parse_day(raw_day)
    today = datetime.now(BEIJING).date()
    if on is None:
        errors["consented_on"] = day_problem(raw_day)
    elif on > today:
        errors["consented_on"] = _("同意日期不能晚于今天。")
    elif on < date(2000, 1, 1):
        errors["consented_on"] = _("同意日期太早了，请核对。")
    scope = plain(values.get("scope"))
    if len(scope) < 2:
        errors["scope"] = _("请写明同意公开哪些内容（姓名、照片、企业名称等）。")
    elif len(scope) > NOTE_MAX:
        errors["scope"] = _too_long(NOTE_MAX, scope)
    mime = None
    if scan:
        mime = photos.scan_type(scan)
        if len(scan) > photos.MAX_BYTES:
            errors["scan"] = _("扫描件太大了（最大 10 MB）。")
        elif mime is None:
            errors["scan"] = _("扫描件只能是 PDF、JPEG 或 PNG 文件。")
    if errors:
        raise StoryErrors(errors)
    row = StoryConsent(story_id=story.id, person_name=person, method=method, consented_on=on, scope=scope,
                       scan=scan or None, scan_type=mime, recorded_by_id=user.id)  # fmt: skip
    db.session.add(row)
    story.updated_at = utcnow()
    db.session.flush()
    audit.record(user, "story.consent_record", "story", story.id,
                 after={"consent": row.id, "method": method, "on": on.isoformat(), "scan": bool(scan)})  # fmt: skip
    return row


def withdraw_consent(user: User, story_id: int, consent_id: int, note: str) -> Story:
    """The person withdrew their consent: recorded, and the story is unpublished at once (or taken back from
    review) when no other consent stands."""
    require(user, "story.edit")
    story = queries.editable(user, story_id)
    row = queries.consent(user, story, consent_id)
    if row.withdrawn_at is not None:
        raise InvalidTransition(_("这份同意已经撤回了。"))
    note = plain(note)
    if len(note) < 2:
        raise StoryErrors({"withdrawal_note": _("请写明本人何时、怎样撤回了同意。")})
    if len(note) > NOTE_MAX:
        raise StoryErrors({"withdrawal_note": _too_long(NOTE_MAX, note)})
    row.withdrawn_at, row.withdrawn_by_id, row.withdrawal_note = utcnow(), user.id, note
    story.updated_at = utcnow()
    db.session.flush()
    audit.record(user, "story.consent_withdraw", "story", story.id, after={"consent": row.id})
    db.session.refresh(story)
    if story.consent is None:
        reason = _("本人撤回了同意。")
        if story.status == PUBLISHED:
            STORY.apply(story, "unpublish", user, values={"review_note": reason}, audit_after={"reason": "consent"})
        elif story.status == SUBMITTED:
            STORY.apply(story, "recall", user, values={"review_note": reason}, audit_after={"reason": "consent"})
    return story


# ---------------------------------------------------------------- the lifecycle's moves


def move(user: User, story_id: int, action: str, note: str = "") -> Story:
    """submit, recall (the author), return or publish (a second editor), unpublish (any editor, with why)."""
    story = queries.editable(user, story_id)
    note = plain(note)
    values: dict = {"version": Story.version + 1}
    if action == "submit":
        require(user, "story.edit")
        _needs_consent(story)
    elif action == "recall":
        if story.author_id != user.id:
            raise NotFound()
    elif action in ("publish", "return"):
        require(user, "story.review", story)
        if action == "publish":
            _needs_consent(story)
            values.update(published_at=utcnow(), reviewer_id=user.id, review_note=None)
        else:
            values.update(review_note=_note(note, _("请写明退回的原因。")), reviewer_id=user.id)
    elif action == "unpublish":
        require(user, "story.edit")
        values["review_note"] = _note(note, _("请写明撤下的原因。"))
    else:
        raise InvalidInput(_("没有这个操作。"))
    STORY.apply(
        story,
        action,
        user,
        refusal=_("这篇故事现在是“%(state)s”，不能这样操作。", state=STORY.label(story.status)),
        values=values,
        audit_after={"note": values.get("review_note")},
    )
    return story


def _note(note: str, missing: str) -> str:
    if len(note) < 2:
        raise StoryErrors({"note": missing})
    if len(note) > NOTE_MAX:
        raise StoryErrors({"note": _too_long(NOTE_MAX, note)})
    return note


def _needs_consent(story: Story) -> None:
    if story.consent is None:
        raise InvalidInput(_("还没有记录本人的同意：没有同意不能发布。请先在下面记录本人同意公开的方式、日期和范围。"))
