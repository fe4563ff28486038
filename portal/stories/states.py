"""The lifecycle of a story: draft → submitted → published (by a second editor, never the author) → unpublished.
`Lifecycle.apply` is the only writer of its status; it audits each move and sends `story-changed`."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from portal.core.lifecycle import Lifecycle
from portal.stories.models import Story

_signals = Namespace()

DRAFT, SUBMITTED, PUBLISHED, UNPUBLISHED = "draft", "submitted", "published", "unpublished"
EDITABLE = (DRAFT, UNPUBLISHED)

STORY = Lifecycle(
    name="story",
    model=Story,
    initial=DRAFT,
    moves={
        (DRAFT, "submit"): SUBMITTED,
        (UNPUBLISHED, "submit"): SUBMITTED,
        (SUBMITTED, "recall"): DRAFT,  # the author takes it back, or the consent was withdrawn meanwhile
        (SUBMITTED, "return"): DRAFT,  # the second editor sends it back with a note
        (SUBMITTED, "publish"): PUBLISHED,
        (PUBLISHED, "unpublish"): UNPUBLISHED,  # an editor takes it down, or the consent was withdrawn
    },
    labels={
        DRAFT: _l("草稿"),
        SUBMITTED: _l("待审核"),
        PUBLISHED: _l("已发布"),
        UNPUBLISHED: _l("已撤下"),
    },
    signal=_signals.signal("story-changed"),
)
