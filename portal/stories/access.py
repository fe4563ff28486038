"""Who may see and do what with stories (先进典型).

- Anyone reads a published story and its photos (`story.view`); drafts, submitted and unpublished stories only
  editors (and, read-only, administrators). Anyone else: 404.
- Editors write stories, upload photos and record or withdraw the person's consent (`story.edit`).
- A second editor, never the author, publishes or returns a submitted story (`story.review`); any editor takes a
  published one down.
"""

from __future__ import annotations

from portal.core.access import rule
from portal.stories.states import PUBLISHED, SUBMITTED


def _role(user, *roles: str) -> bool:
    return user is not None and user.role in roles


@rule("story.desk")
def _desk(user, _obj=None) -> bool:
    return _role(user, "editor", "admin")


@rule("story.view")
def _view(user, story) -> bool:
    if story is None:
        return False
    return story.status == PUBLISHED or _desk(user)


@rule("story.edit")
def _edit(user, _story=None) -> bool:
    """Editors work on any story together; the lifecycle says which moves its status allows."""
    return _role(user, "editor")


@rule("story.review")
def _review(user, story) -> bool:
    """Publish or return: a second editor, never the author (two people on every publication)."""
    return story is not None and _role(user, "editor") and story.author_id != user.id and story.status == SUBMITTED
