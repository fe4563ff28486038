"""Index events: every change to a searchable record, written in the same transaction as the change."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.catalog.models import CatalogMixin
from portal.db import Base, utcnow


class IndexEvent(Base):
    """Each server's search index applies these in id order after the last one it applied."""

    __tablename__ = "index_event"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    slug: Mapped[str] = mapped_column(sa.String(80))
    op: Mapped[str] = mapped_column(sa.String(8))  # "upsert" or "delete"
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class SearchAnswer(CatalogMixin, Base):
    """A best bet (搜索直达): a service's one-line answer shown above the results when a query names it.

    Content (`content/answers.yaml`), edited and reviewed in the back office like the catalog; read at query time.
    """

    __tablename__ = "search_answer"

    service: Mapped[str] = mapped_column(sa.String(16))  # an application type, "registry", "progress" or "guide"
    who: Mapped[str] = mapped_column(sa.String(200), default="")
    figure: Mapped[str | None] = mapped_column(sa.String(100))
    policy: Mapped[str | None] = mapped_column(sa.String(80))  # slug of the guide it comes from
    triggers: Mapped[list] = mapped_column(sa.JSON, default=list)
    priority: Mapped[int] = mapped_column(default=0)


class SearchTerm(CatalogMixin, Base):
    """Everyday words (`content/search-terms.yaml`): a synonym group whose words all find what `name` finds, or
    a group of question words and fillers a query drops. Applied at query time, so a change needs no reindex."""

    __tablename__ = "search_term"

    description: Mapped[str | None] = mapped_column(sa.Text, default="")  # optional here: a note for editors
    role: Mapped[str] = mapped_column(sa.String(16))  # "synonym" or "filler"
    words: Mapped[list] = mapped_column(sa.JSON, default=list)
    prefers: Mapped[str | None] = mapped_column(sa.String(16))  # a kind of page a query with these words prefers


def content_version(model) -> tuple[str, ...]:
    """What changes whenever a row of a content table (answers, search words) is added, removed, edited or
    published: its row count, last update and sum of versions. Search reads the table again when it changes."""
    from portal.extensions import db

    row = db.session.execute(
        sa.select(sa.func.count(model.id), sa.func.max(model.updated_at), sa.func.sum(model.version))
    ).one()
    return tuple(str(v) for v in row)


class ContentCache:
    """A content table read into this process's memory (`build(version)` makes the value) and read again when it
    changed (`content_version`), which is checked at most once every `recheck` seconds: a change made in the portal
    reaches every server within about a second, and a search costs no read of the table."""

    def __init__(self, model, build: Callable[[tuple], object], recheck: float = 1.0) -> None:
        self.model, self.build, self.recheck = model, build, recheck
        self._lock = threading.Lock()
        self._value: object = None
        self._version: tuple | None = None
        self._checked = 0.0

    def get(self):
        now = time.monotonic()
        if self._value is not None and now - self._checked < self.recheck:
            return self._value
        version = content_version(self.model)
        with self._lock:
            self._checked = now
            if self._value is None or self._version != version:
                self._value, self._version = self.build(version), version
        return self._value

    @property
    def version(self) -> tuple:
        self.get()
        return self._version or ()

    def forget(self) -> None:
        """Read the table again on the next use (tests, and after `content load` in this process)."""
        self._value = None
