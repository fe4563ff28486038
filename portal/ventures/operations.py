"""Changing presented projects, shortlists and recommendations. Statuses move only through `states`; every change
is audited; the caller's request commits once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from portal import audit
from portal.accounts.models import User
from portal.core.access import can, require
from portal.core.clock import today
from portal.core.guard import day_problem, parse_day
from portal.db import utcnow
from portal.errors import InvalidInput, NotFound
from portal.events import queries as events
from portal.extensions import db
from portal.ventures import checks, notifications, queries
from portal.ventures.models import Recommendation, Shortlist, ShortlistEntry, Venture, VentureSeek
from portal.ventures.states import EDITABLE, OPEN_RECOMMENDATION, RECOMMENDATION, VENTURE
from portal.ventures.vocab import FUNDS, PURPOSES

REASON_MIN, REASON_MAX = 2, 1000
MAX_DRAFTS = 10  # open projects one account may keep (drafts, submitted, returned)


class VentureErrors(InvalidInput):
    """Several field messages at once; `errors` maps field name to message (shown at the fields)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def _reason(raw: str | None, field: str, missing: str) -> str:
    text = checks.plain(raw)
    if len(text) < REASON_MIN:
        raise VentureErrors({field: missing})
    if len(text) > REASON_MAX:
        raise VentureErrors({field: _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=REASON_MAX, n=len(text))})
    return text


def _apply_answers(venture: Venture, a: checks.Answers) -> None:
    venture.name, venture.makes, venture.county_id = a.name, a.makes, a.county.id
    venture.industry, venture.stage = a.industry, a.stage
    venture.jobs_created, venture.jobs_planned = a.jobs_created, a.jobs_planned
    venture.investment_wan = a.investment_wan
    venture.contact_pref, venture.contact_name, venture.contact_phone = a.contact_pref, a.contact_name, a.contact_phone
    venture.unit_id = queries.unit_for_county(a.county).id
    venture.seek_rows = [VentureSeek(code=code) for code in a.seeks]


def _checked(values: Mapping[str, object], seeks: list[str]) -> checks.Answers:
    answers, errors = checks.check(values, seeks, queries.counties_by_key())
    if errors:
        raise VentureErrors(errors)
    return answers


def _summary(v: Venture) -> dict:
    return {"name": v.name, "county": v.county_id, "industry": v.industry, "stage": v.stage,
            "jobs": [v.jobs_created, v.jobs_planned], "seeks": v.seeks,
            "investment_wan": str(v.investment_wan) if v.investment_wan is not None else None}  # fmt: skip


def present(user: User, values: Mapping[str, object], seeks: list[str], submit: bool = False) -> Venture:
    """An entrepreneur presents a project: saved as a draft, or submitted to the county's 人社局 at once."""
    require(user, "venture.present")
    answers = _checked(values, seeks)
    open_count = db.session.scalar(
        sa.select(sa.func.count(Venture.id)).where(Venture.owner_id == user.id, Venture.status.in_(EDITABLE))
    )
    if (open_count or 0) >= MAX_DRAFTS:
        raise InvalidInput(_("您已有 %(n)s 个未提交的项目，请先提交或撤回一些再新建。", n=open_count))
    venture = Venture(owner_id=user.id, status=VENTURE.initial)
    _apply_answers(venture, answers)
    db.session.add(venture)
    db.session.flush()
    audit.record(user, "venture.create", "venture", venture.id, after=_summary(venture))
    if submit:
        _submit(user, venture)
    return venture


def edit(user: User, venture_id: int, values: Mapping[str, object], seeks: list[str], submit: bool = False) -> Venture:
    """The owner changes a draft or a returned project (and may submit it again)."""
    venture = queries.own(user, venture_id)
    if venture.status not in EDITABLE:
        raise InvalidInput(_("这个项目现在是“%(state)s”，不能修改。", state=VENTURE.label(venture.status)))
    answers = _checked(values, seeks)
    before = _summary(venture)
    _apply_answers(venture, answers)
    venture.version += 1
    db.session.flush()
    audit.record(user, "venture.edit", "venture", venture.id, before=before, after=_summary(venture))
    if submit:
        _submit(user, venture)
    return venture


def _submit(user: User, venture: Venture) -> None:
    VENTURE.apply(
        venture,
        "submit",
        user,
        refusal=_("这个项目已经提交过了。"),
        values={"submitted_at": utcnow(), "version": Venture.version + 1},
    )


def submit(user: User, venture_id: int) -> Venture:
    venture = queries.own(user, venture_id)
    _submit(user, venture)
    return venture


def withdraw(user: User, venture_id: int) -> Venture:
    venture = queries.own(user, venture_id)
    VENTURE.apply(venture, "withdraw", user, refusal=_("这个项目已经撤回了。"), values={"version": Venture.version + 1})
    return venture


# ---------------------------------------------------------------- the responsible unit's review


def review(staff: User, venture_id: int, action: str, reason: str = "") -> Venture:
    """`approve` (public from now on), `return` (to the owner, with what to change) or `unpublish` (with why)."""
    venture = require(staff, "venture.review", queries.get(venture_id))
    if action not in ("approve", "return", "unpublish"):
        raise InvalidInput(_("请选择通过或退回。"))
    values: dict = {"reviewed_by_id": staff.id, "version": Venture.version + 1}
    if action == "approve":
        values.update(published_at=utcnow(), return_reason=None)
    else:
        values["return_reason"] = _reason(reason, "reason", _("请写明退回的原因或需要修改的地方。"))
    VENTURE.apply(
        venture,
        action,
        staff,
        refusal=_("这个项目现在是“%(state)s”，不能这样处理。", state=VENTURE.label(venture.status)),
        values=values,
        audit_after={"reason": values.get("return_reason")},
    )
    notifications.reviewed(venture, action)
    return venture


def link_catalog_project(staff: User, venture_id: int, project_id: int | None) -> Venture:
    """Say which demonstration project (catalog) this is, or that it is none: its catalog page then links here."""
    venture = require(staff, "venture.review", queries.get(venture_id))
    if project_id is not None and project_id not in {p.id for p in queries.catalog_projects_in(venture.county_id)}:
        raise VentureErrors({"project": _("请从本县区的示范项目里选择。")})
    before = venture.catalog_project_id
    venture.catalog_project_id = project_id
    venture.updated_at = utcnow()
    audit.record(staff, "venture.link_project", "venture", venture.id,
                 before={"catalog_project_id": before}, after={"catalog_project_id": project_id})  # fmt: skip
    return venture


# ---------------------------------------------------------------- shortlists for a 路演 or 对接会


def create_shortlist(staff: User, values: Mapping[str, object]) -> Shortlist:
    require(staff, "venture.shortlist")
    errors: dict[str, str] = {}
    name = checks.plain(values.get("name"))
    if len(name) < 2:
        errors["name"] = _("请填写名单名称，例如：2021年第二季度项目路演。")
    elif len(name) > 120:
        errors["name"] = _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=120, n=len(name))
    purpose = checks.normal(values.get("purpose"))
    if purpose not in PURPOSES:
        errors["purpose"] = _("请选择用途。")
    event_label = checks.plain(values.get("event_label")) or None
    if event_label and len(event_label) > 200:
        errors["event_label"] = _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=200, n=len(event_label))
    raw_day = checks.normal(values.get("event_on"))
    event_on = parse_day(raw_day) if raw_day else None
    if raw_day and event_on is None:
        errors["event_on"] = day_problem(raw_day)
    note = checks.plain(values.get("note")) or None
    if note and len(note) > 2000:
        errors["note"] = _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=2000, n=len(note))
    event = None
    raw_event = checks.normal(values.get("event"))
    if raw_event:
        event = queries.pitch_event(staff, int(raw_event)) if raw_event.isdigit() and len(raw_event) < 10 else None
        if event is None:
            errors["event"] = _("请选择本单位还没有结束的路演、投资对接会或销售对接会。")
    if errors:
        raise VentureErrors(errors)
    if event is not None:  # the event's own title and day, unless other words were given
        event_label = event_label or event.title
        event_on = event_on or events.to_local(event.starts_at).date()
    shortlist = Shortlist(unit_id=staff.unit_id, created_by_id=staff.id, name=name, purpose=purpose,
                          event_id=event.id if event else None, event_label=event_label, event_on=event_on,
                          note=note)  # fmt: skip
    db.session.add(shortlist)
    db.session.flush()
    audit.record(staff, "venture_shortlist.create", "venture_shortlist", shortlist.id,
                 after={"name": name, "purpose": purpose, "event_on": str(event_on) if event_on else None,
                        "event_id": shortlist.event_id})  # fmt: skip
    return shortlist


def add_to_shortlist(staff: User, venture_id: int, shortlist_id: int | None) -> Shortlist:
    venture = require(staff, "venture.shortlist", queries.get(venture_id))
    if shortlist_id is None:
        raise VentureErrors({"shortlist": _("请选择加入哪个名单；还没有名单的，请先新建。")})
    shortlist = db.session.get(Shortlist, shortlist_id)
    if shortlist is None or not can(staff, "venture.shortlist", shortlist):
        raise VentureErrors({"shortlist": _("请选择本单位的名单。")})
    if db.session.get(ShortlistEntry, (shortlist.id, venture.id)) is not None:
        raise VentureErrors({"shortlist": _("这个项目已经在“%(name)s”里了。", name=shortlist.name)})
    db.session.add(ShortlistEntry(shortlist_id=shortlist.id, venture_id=venture.id, added_by_id=staff.id))
    audit.record(staff, "venture_shortlist.add", "venture_shortlist", shortlist.id, after={"venture": venture.id})
    return shortlist


def remove_from_shortlist(staff: User, shortlist_id: int, venture_id: int) -> Shortlist:
    shortlist = require(staff, "venture.shortlist", db.session.get(Shortlist, shortlist_id))
    entry = db.session.get(ShortlistEntry, (shortlist.id, venture_id))
    if entry is None:
        raise NotFound()
    db.session.delete(entry)
    audit.record(staff, "venture_shortlist.remove", "venture_shortlist", shortlist.id, after={"venture": venture_id})
    return shortlist


# ---------------------------------------------------------------- recommendations to the investment fund


def recommend(staff: User, venture_id: int, values: Mapping[str, object]) -> Recommendation:
    venture = require(staff, "venture.recommend", queries.get(venture_id))
    errors: dict[str, str] = {}
    fund = checks.normal(values.get("fund"))
    if fund not in FUNDS:
        errors["fund"] = _("请选择推荐到哪个基金。")
    raw_day = checks.normal(values.get("recommended_on"))
    on = parse_day(raw_day) if raw_day else today()
    if on is None:
        errors["recommended_on"] = day_problem(raw_day)
    elif on > today():
        errors["recommended_on"] = _("推荐日期不能晚于今天。")
    elif on < date(2015, 1, 1):
        errors["recommended_on"] = _("推荐日期太早了，请核对。")
    note = checks.plain(values.get("note")) or None
    if note and len(note) > REASON_MAX:
        errors["note"] = _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=REASON_MAX, n=len(note))
    if not errors and queries.open_recommendation(venture.id, fund, OPEN_RECOMMENDATION) is not None:
        errors["fund"] = _("这个项目已经推荐到这个基金了，等基金答复后再看。")
    if errors:
        raise VentureErrors(errors)
    row = Recommendation(venture_id=venture.id, fund=fund, unit_id=staff.unit_id, recommended_by_id=staff.id,
                         recommended_on=on, note=note, status=RECOMMENDATION.initial)  # fmt: skip
    db.session.add(row)
    db.session.flush()
    audit.record(staff, "venture_recommendation.create", "venture_recommendation", row.id,
                 after={"venture": venture.id, "fund": fund, "on": on.isoformat(), "status": row.status})  # fmt: skip
    notifications.recommended(venture, row)
    return row


def record_outcome(staff: User, recommendation_id: int, action: str, note: str = "") -> Recommendation:
    """The fund's answer: `accept` (into the pool) or `decline`, with a note (required for a decline)."""
    row = queries.recommendation(staff, recommendation_id)
    if action not in ("accept", "decline"):
        raise InvalidInput(_("请选择已入库或未入库。"))
    text = checks.plain(note)
    if action == "decline" and len(text) < REASON_MIN:
        raise VentureErrors({"outcome_note": _("请写明基金的答复或未入库的原因。")})
    if len(text) > REASON_MAX:
        raise VentureErrors({"outcome_note": _("最多 %(max)s 个字，现在是 %(n)s 个字。", max=REASON_MAX, n=len(text))})
    RECOMMENDATION.apply(
        row,
        action,
        staff,
        refusal=_("已经记录过基金的答复了。"),
        values={"outcome_note": text or None, "decided_by_id": staff.id, "decided_at": utcnow()},
        audit_after={"note": text or None},
    )
    return row
