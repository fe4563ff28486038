"""The on-disk search index: generations swapped atomically, one writer at a time, fed by index events."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from whoosh import index as whoosh_index
from whoosh.fields import BOOLEAN, ID, KEYWORD, STORED, TEXT, Schema

from portal.extensions import db
from portal.search import documents
from portal.search.analyzer import ChineseAnalyzer
from portal.search.models import IndexEvent

# A generation built with another schema is rebuilt before it is read (a deployment that changed the schema
# needs no manual reindex); bump this with every change to make_schema() or to what documents hold.
SCHEMA_VERSION = "3"  # 3: events are a kind
# Event ids that are missing below the newest one may belong to a transaction not yet committed;
# they are looked for again until this many seconds have passed.
GAP_PATIENCE_SECONDS = 120
LOCK_TIMEOUT_SECONDS = 30


def make_schema() -> Schema:
    analyzer = ChineseAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        slug=STORED(),
        # The title is indexed on its own too (word beginnings, suggestions); ranking boosts title matches.
        title=TEXT(analyzer=analyzer, stored=True),
        # Everything searchable in one field — text, then title, tags and labels — so that a query is one
        # intersection of posting lists. Not stored: snippets come from `text`.
        body=TEXT(analyzer=analyzer),
        # The readable text (description and body as sentences) that snippets are chosen from (snippets.py).
        text=STORED(),
        county=KEYWORD(stored=True, commas=True),
        subtitle=STORED(),
        sample=BOOLEAN(stored=True),
    )


def writer_options(documents: int) -> dict:
    """Large rebuilds use both cores: cutting Chinese text with jieba is the bottleneck (~300 documents/s a core)."""
    cores = os.cpu_count() or 1
    if documents >= 2000 and cores > 1:
        return {"limitmb": 128, "procs": min(2, cores), "multisegment": True}
    return {"limitmb": 128}


class IndexBusy(Exception):
    """Another process holds the writer lock for longer than we are willing to wait."""


@dataclass
class State:
    """What this index directory has applied: the last event id, and ids still missing below it."""

    last_id: int = 0
    gaps: dict[int, float] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: Path) -> State:
        try:
            raw = json.loads((directory / "state.json").read_text())
        except (FileNotFoundError, ValueError):
            return cls()
        return cls(last_id=int(raw.get("last_id", 0)), gaps={int(k): float(v) for k, v in raw.get("gaps", {}).items()})

    def write(self, directory: Path) -> None:
        tmp = directory / f"state.{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps({"last_id": self.last_id, "gaps": self.gaps}))
        os.replace(tmp, directory / "state.json")


class SearchIndex:
    """One server's index under `root`: `CURRENT` names the live generation directory."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._local = threading.local()
        self._last_check = 0.0

    # -------------------------------------------------------------- locations

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def current_dir(self) -> Path | None:
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        if not name or not path.is_dir():
            return None
        try:
            version = (path / "SCHEMA").read_text().strip()
        except FileNotFoundError:
            version = "1"
        return path if version == SCHEMA_VERSION else None

    @contextlib.contextmanager
    def writer_lock(self, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
        """One writer per index root at a time, across processes (flock), retried until `timeout`."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a+") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise IndexBusy(str(self.root)) from exc
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -------------------------------------------------------------- reading

    def searcher(self):
        """A searcher for the live generation, reused per thread and refreshed when the index changed."""
        directory = self.current_dir()
        if directory is None:
            return None
        cached = getattr(self._local, "cached", None)
        if cached and cached[0] == directory and cached[1].up_to_date():
            return cached[1]
        if cached:
            cached[1].close()
        # A fresh searcher, not Searcher.refresh(): refresh reuses segment readers by segment id and so
        # misses documents deleted from a segment that is otherwise unchanged.
        searcher = whoosh_index.open_dir(str(directory)).searcher()
        self._local.cached = (directory, searcher)
        return searcher

    def close(self) -> None:
        cached = getattr(self._local, "cached", None)
        if cached:
            cached[1].close()
            self._local.cached = None

    # -------------------------------------------------------------- writing

    def rebuild(self, progress: Callable[[int], None] | None = None, batch: int = 500) -> Path:
        """Build a fresh generation from the database, then swap it in atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        start_id = db.session.scalar(sa.select(sa.func.max(IndexEvent.id))) or 0
        directory = self.root / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        directory.mkdir()
        (directory / "SCHEMA").write_text(SCHEMA_VERSION)
        ix = whoosh_index.create_in(str(directory), make_schema())
        writer = ix.writer(**writer_options(documents.count_all()))
        done = 0
        for kind, obj in documents.iter_all():
            writer.add_document(**documents.to_document(kind, obj))
            done += 1
            if progress and done % 50 == 0:
                progress(50)
        writer.commit()
        if progress and done % 50:
            progress(done % 50)
        ix.close()
        State(last_id=start_id).write(directory)
        with self.writer_lock():
            # Events that arrived during the build are applied before the swap, so nothing is lost.
            self._apply_events(directory)
            tmp = self.root / f"CURRENT.{uuid.uuid4().hex}.tmp"
            tmp.write_text(directory.name)
            os.replace(tmp, self.current_file)
        self._remove_old_generations(keep=directory)
        return directory

    def _remove_old_generations(self, keep: Path) -> None:
        generations = sorted(p for p in self.root.glob("gen-*") if p.is_dir() and p != keep)
        # keep the previous generation a while: a searcher elsewhere may still be reading it
        for old in generations[:-1]:
            shutil.rmtree(old, ignore_errors=True)

    def ensure(self) -> None:
        if self.current_dir() is None:
            with self.writer_lock():
                if self.current_dir() is not None:
                    return
            self.rebuild()

    def sync(self, wait: float = LOCK_TIMEOUT_SECONDS) -> int:
        """Apply the events this index has not applied yet. Returns how many were applied."""
        self.ensure()
        with self.writer_lock(timeout=wait):
            directory = self.current_dir()
            assert directory is not None
            return self._apply_events(directory)

    def _apply_events(self, directory: Path) -> int:
        state = State.read(directory)
        wanted = IndexEvent.id > state.last_id
        if state.gaps:
            wanted = sa.or_(wanted, IndexEvent.id.in_(list(state.gaps)))
        events = list(db.session.scalars(sa.select(IndexEvent).where(wanted).order_by(IndexEvent.id)))
        now = time.time()
        if events:
            # Only the last event per record matters: what is applied is the record's current state.
            latest = {(event.kind, event.slug) for event in events}
            ix = whoosh_index.open_dir(str(directory))
            writer = ix.writer(timeout=LOCK_TIMEOUT_SECONDS)
            try:
                for kind, slug in sorted(latest):
                    # The database is the truth: apply what the record is now, whatever the event said.
                    obj = documents.load(kind, slug)
                    if obj is None:
                        writer.delete_by_term("id", f"{kind}:{slug}")
                    else:
                        writer.update_document(**documents.to_document(kind, obj))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            finally:
                ix.close()
            seen = {e.id for e in events}
            top = max(seen)
            for missing in range(state.last_id + 1, top):
                if missing not in seen and missing not in state.gaps:
                    state.gaps[missing] = now
            for event_id in seen:
                state.gaps.pop(event_id, None)
            state.last_id = max(state.last_id, top)
        expired = [gid for gid, first_seen in state.gaps.items() if now - first_seen > GAP_PATIENCE_SECONDS]
        for gid in expired:
            state.gaps.pop(gid)
        if events or expired:
            state.write(directory)
        return len(events)

    def behind(self) -> bool:
        """True when the database has events this index has not applied (a cheap check)."""
        directory = self.current_dir()
        if directory is None:
            return True
        state = State.read(directory)
        newest = db.session.scalar(sa.select(sa.func.max(IndexEvent.id))) or 0
        return newest > state.last_id or bool(state.gaps)

    def sync_if_stale(self, every: float = 0.5) -> None:
        """Called before a search: at most every `every` seconds, apply new events if there are any.

        When another process is already writing, we search what we have instead of waiting.
        """
        now = time.monotonic()
        if now - self._last_check < every and self.current_dir() is not None:
            return
        self._last_check = now
        if self.behind():
            with contextlib.suppress(IndexBusy):
                self.sync(wait=0.5 if self.current_dir() is not None else LOCK_TIMEOUT_SECONDS)


_indexes: dict[str, SearchIndex] = {}
_indexes_lock = threading.Lock()


def for_app(app) -> SearchIndex:
    root = str(Path(app.config["PORTAL_DATA_DIR"]) / "search")
    with _indexes_lock:
        if root not in _indexes:
            _indexes[root] = SearchIndex(root)
        return _indexes[root]
