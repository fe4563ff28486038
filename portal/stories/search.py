"""What the search index holds for stories (this area does not import search; `portal/search/documents.py` reads
this module). `public()` says which stories search may show (published ones), `document(story)` their fields;
search writes an index event when a story row changes (a flush) and when its lifecycle moves it (the
`story-changed` signal: status changes are conditional UPDATEs no flush sees), so a story taken down leaves the
index at once."""

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


def public():
    """What search may show: published stories."""
    return Story.status == PUBLISHED


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
