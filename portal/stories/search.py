"""What the search index should hold for stories, for the lead to wire into `portal/search/` (this area does not
import search). `documents()` yields one dict per published story; a change to any row of `WATCHED_MODELS`
(a story's text, status, county or industry; its photos do not matter to search) should reindex that story, and
a story that is no longer published should leave the index (`documents()` no longer yields it)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import selectinload

from portal.catalog.vocab import INDUSTRIES, label
from portal.extensions import db
from portal.stories.models import Story
from portal.stories.states import PUBLISHED

WATCHED_MODELS = (Story,)  # Story.status, title, body, county_id, industry; the consent's withdrawal moves status
ENDPOINT = "stories.detail"
_MARKDOWN_NOISE = re.compile(r"[#>*_`|\[\]()!-]+")


def document(story: Story) -> dict:
    """Index fields for one published story. Labels in Chinese, the language of the content."""
    with force_locale("zh_Hans_CN"):
        return {
            "id": story.id,
            "title": story.title,
            "body": _MARKDOWN_NOISE.sub(" ", story.body),
            "county": story.county.name,
            "industry": label(INDUSTRIES, story.industry),
            "endpoint": ENDPOINT,
            "args": {"story_id": story.id},
        }


def documents() -> Iterator[dict]:
    """One dict per published story (id, title, body text, county name, industry label, endpoint and args)."""
    stmt = sa.select(Story).where(Story.status == PUBLISHED).order_by(Story.id).options(selectinload(Story.county))
    for story in db.session.scalars(stmt):
        yield document(story)
