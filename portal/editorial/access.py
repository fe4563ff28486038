"""Who may see and do what in content editing (内容编辑).

- Editors draft changes to entries and submit them (`editorial.edit`); a change's author edits, submits, recalls
  and withdraws it (`content_change.own`).
- Another editor — never the change's author — publishes or rejects a submitted change (`content_change.review`).
- Administrators read every page of the area (`editorial.read`, `content_change.view`); they change nothing.
- Anyone else gets 404.
"""

from __future__ import annotations

from portal.core.access import rule
from portal.editorial.states import DRAFT, REJECTED, SUBMITTED


def _role(user, *roles: str) -> bool:
    return user is not None and user.role in roles


@rule("editorial.read")
def _read(user, _obj=None) -> bool:
    return _role(user, "editor", "admin")


@rule("editorial.edit")
def _edit(user, _obj=None) -> bool:
    return _role(user, "editor")


@rule("content_change.view")
def _view(user, change) -> bool:
    return change is not None and _read(user)


@rule("content_change.own")
def _own(user, change) -> bool:
    """The author's moves: edit the draft, submit it, recall it, withdraw it."""
    return change is not None and _edit(user) and change.author_id == user.id


@rule("content_change.draft")
def _draft(user, change) -> bool:
    return _own(user, change) and change.status == DRAFT


@rule("content_change.withdraw")
def _withdraw(user, change) -> bool:
    return _own(user, change) and change.status in (DRAFT, SUBMITTED, REJECTED)


@rule("content_change.review")
def _review(user, change) -> bool:
    """Publish or reject: a second editor, never the author (two people on every publication)."""
    return change is not None and _edit(user) and change.author_id != user.id and change.status == SUBMITTED
