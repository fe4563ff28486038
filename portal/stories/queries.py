"""Reading stories: the public list (by county and industry), one story, the latest for the home page, the editors'
desk, what a story links to, and counts for the catalog's panels."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.catalog import services as catalog
from portal.catalog.models import County, IncubationBase, Mentor, Park
from portal.catalog.vocab import INDUSTRIES
from portal.core.access import require
from portal.core.listing import Filter, Listing
from portal.errors import NotFound
from portal.extensions import db
from portal.policies.models import Policy
from portal.stories.models import Story, StoryConsent, StoryPhoto
from portal.stories.states import PUBLISHED
from portal.ventures import queries as ventures
from portal.ventures.states import PUBLISHED as VENTURE_PUBLISHED

SUPPORT_MODELS = {"policies": Policy, "bases": IncubationBase, "parks": Park, "mentors": Mentor}
SUPPORT_ENDPOINTS = {
    "policies": "policies.detail",
    "bases": "catalog.bases_detail",
    "parks": "catalog.parks_detail",
    "mentors": "catalog.mentors_detail",
}


def _industry(raw: str) -> str | None:
    if raw in INDUSTRIES:
        return raw
    return next((code for code, text in INDUSTRIES.items() if str(text) == raw), None)


LISTING = Listing(
    kind="stories",
    model=Story,
    filters=[
        catalog.county_filter(Story),
        Filter(
            name="industry",
            label=_l("行业"),
            choices=lambda: [(code, str(text)) for code, text in INDUSTRIES.items()],
            resolve=_industry,
            apply=lambda stmt, code: stmt.where(Story.industry == code),
        ),
    ],
    order_by=lambda: [Story.published_at.desc(), Story.id.desc()],
    options=lambda: [selectinload(Story.county), selectinload(Story.photos)],
    where=lambda: [Story.status == PUBLISHED],
)


def latest(limit: int = 3) -> list[Story]:
    """The newest published stories (the home page's section)."""
    stmt = (
        sa.select(Story)
        .where(Story.status == PUBLISHED)
        .order_by(Story.published_at.desc(), Story.id.desc())
        .limit(limit)
        .options(selectinload(Story.county), selectinload(Story.photos))
    )
    return list(db.session.scalars(stmt))


def count_published(county_id: int | None = None, industry: str | None = None) -> int:
    stmt = sa.select(sa.func.count(Story.id)).where(Story.status == PUBLISHED)
    if county_id is not None:
        stmt = stmt.where(Story.county_id == county_id)
    if industry is not None:
        stmt = stmt.where(Story.industry == industry)
    return db.session.scalar(stmt) or 0


def get(story_id: int) -> Story | None:
    return db.session.get(Story, story_id)


def viewable(user, story_id: int) -> Story:
    return require(user, "story.view", get(story_id))


def editable(user, story_id: int) -> Story:
    require(user, "story.desk")
    return require(user, "story.view", get(story_id))


def desk(user) -> list[Story]:
    require(user, "story.desk")
    waiting_first = sa.case((Story.status == "submitted", 0), else_=1)
    stmt = sa.select(Story).order_by(waiting_first, Story.updated_at.desc()).limit(200)
    return list(db.session.scalars(stmt.options(selectinload(Story.county))))


def photo(user, photo_id: int) -> StoryPhoto:
    found = db.session.get(StoryPhoto, photo_id)
    if found is None:
        raise NotFound()
    require(user, "story.view", found.story)
    return found


def consent(user, story: Story, consent_id: int) -> StoryConsent:
    require(user, "story.desk")
    found = db.session.get(StoryConsent, consent_id)
    if found is None or found.story_id != story.id:
        raise NotFound()
    return found


def support_links(story: Story) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(kind, [(endpoint, slug, name)]) of the visible entries the story links to, in SUPPORT_MODELS' order."""
    shown = []
    for kind, model in SUPPORT_MODELS.items():
        keys = story.support(kind)
        if not keys:
            continue
        rows = db.session.scalars(sa.select(model).where(model.slug.in_(keys), model.visible.is_(True)))
        entries = [(SUPPORT_ENDPOINTS[kind], row.slug, row.name) for row in rows]
        if entries:
            shown.append((kind, sorted(entries, key=lambda e: keys.index(e[1]))))
    return shown


def support_choices(kind: str) -> list[tuple[str, str]]:
    model = SUPPORT_MODELS[kind]
    stmt = sa.select(model.slug, model.name).where(model.visible.is_(True)).order_by(model.name)
    return [(slug, name) for slug, name in db.session.execute(stmt)]


def published_venture(story: Story):
    """The person's project page, only while it is published."""
    if story.venture_id is None:
        return None
    venture = ventures.get(story.venture_id)
    return venture if venture is not None and venture.status == VENTURE_PUBLISHED else None


def counties_by_key() -> dict[str, County]:
    return ventures.counties_by_key()


def all_counties() -> list[County]:
    return catalog.all_counties()
