"""Direct answers (搜索直达, best bets): a query about a service shows that service's card above the results.

The cards are content (`content/answers.yaml`, table `search_answer`, edited and reviewed in the back office):
a one-line answer, who can apply, the key figure, the guide it comes from, and buttons that depend on the
service (apply online, read the guide, look up progress, register a business). A card is shown when one of its
trigger words is in the query — as typed, or as the synonym table reads it (回乡开店能贷多少钱 → 贷款) — at
most two cards, the higher priority first. A query shaped like a tracking number goes to the progress lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.applications.progress import TRACKING_NO, normalise_tracking_no
from portal.extensions import db
from portal.policies.models import Policy
from portal.search.analyzer import normalize
from portal.search.models import ContentCache, SearchAnswer
from portal.search.terms import Group

MAX_CARDS = 2
RECHECK_SECONDS = 1.0
APPLICATION_SERVICES = ("loan", "training", "mentoring")


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    primary: bool = False


@dataclass(frozen=True)
class Answer:
    slug: str
    title: str
    text: str
    who: str
    figure: str
    source_title: str
    source_number: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class _Row:
    slug: str
    name: str
    description: str
    who: str
    figure: str
    service: str
    policy: str | None
    policy_title: str
    policy_number: str
    triggers: tuple[str, ...]
    priority: int


def _read(_version: tuple) -> list[_Row]:
    stmt = (
        sa.select(SearchAnswer, Policy.name, Policy.doc_number)
        .outerjoin(Policy, sa.and_(Policy.slug == SearchAnswer.policy, Policy.visible.is_(True)))
        .where(SearchAnswer.visible.is_(True))
        .order_by(SearchAnswer.priority.desc(), SearchAnswer.slug)
    )
    return [
        _Row(
            a.slug,
            a.name,
            a.description,
            a.who,
            a.figure or "",
            a.service,
            a.policy if title else None,
            title or "",
            number or "",
            tuple(normalize(t).lower() for t in a.triggers or () if normalize(t)),
            a.priority,
        )
        for a, title, number in db.session.execute(stmt)
    ]


_ROWS = ContentCache(SearchAnswer, _read, RECHECK_SECONDS)


def _rows() -> list[_Row]:
    return _ROWS.get()


def version() -> tuple:
    """The version of the answers in use (they change a search's ranking: the guide an answer names is boosted)."""
    return _ROWS.version


def forget() -> None:
    _ROWS.forget()


def tracking_number(text: str) -> str | None:
    """The tracking number when the whole query is one (as people type it: ny-2026-db-000123 works too)."""
    candidate = normalise_tracking_no(text)
    return candidate if TRACKING_NO.fullmatch(candidate) else None


def _actions(row: _Row) -> tuple[Action, ...]:
    guide = (
        Action(str(_l("查看指南")), url_for("policies.detail", slug=row.policy), row.service == "guide")
        if row.policy
        else None
    )
    progress = Action(str(_l("查进度")), url_for("applications.progress_lookup"), row.service == "progress")
    if row.service in APPLICATION_SERVICES:
        actions = [Action(str(_l("在线申请")), url_for("applications.apply", app_type=row.service), True), guide]
        actions.append(progress)
    elif row.service == "registry":
        actions = [Action(str(_l("去登记")), url_for("registry.new"), True), guide]
    elif row.service == "progress":
        actions = [progress, Action(str(_l("我的申请")), url_for("applications.mine"))]
    else:
        actions = [guide]
    return tuple(a for a in actions if a is not None)


def _matching(text: str, groups: list[Group]) -> list[_Row]:
    typed = "".join(normalize(text).lower().split())
    if not typed:
        return []
    heads = {g.head for g in groups} | {g.typed for g in groups}
    found = [r for r in _rows() if any(t in heads or (len(t) >= 2 and t in typed) for t in r.triggers)]
    return found[:MAX_CARDS]


def guides_for(text: str, groups: list[Group]) -> set[str]:
    """The guides the query's cards come from: search ranks them higher (the page that answers the question)."""
    return {row.policy for row in _matching(text, groups) if row.policy}


def for_query(text: str, groups: list[Group]) -> list[Answer]:
    """The cards whose trigger words the query has (typed or as read), most important first."""
    return [
        Answer(
            row.slug,
            row.name,
            row.description,
            row.who,
            row.figure,
            row.policy_title,
            row.policy_number,
            _actions(row),
        )
        for row in _matching(text, groups)
    ]
