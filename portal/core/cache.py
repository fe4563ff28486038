"""A small in-process cache of public pages for visitors who are not logged in.

Public pages (catalog, policy guides, the open-data API) are the same for every anonymous visitor in one
language, and most traffic is exactly that. A page is kept until the published content changes: the
"content generation" (newest index event, newest unit and rule-set change) is read at most once a second.
Logged-in users, pages with a pending message, errors and anything but GET/HEAD are never cached.

The cache knows no area: each area says which of its pages may be cached (`cacheable`) and what makes its
published content change (`generation_source`, a scalar SQL expression such as the newest change time).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

import sqlalchemy as sa
from flask import Flask, Response, current_app, request, session
from flask_babel import get_locale

CACHEABLE_BLUEPRINTS: set[str] = set()
CACHEABLE_ENDPOINTS = {"core.about", "core.privacy"}
GENERATION_SOURCES: dict[str, object] = {}
MAX_ENTRIES = 2000
CHECK_EVERY = 1.0


class PageCache:
    def __init__(self) -> None:
        self.entries: OrderedDict[tuple, tuple[bytes, int, list]] = OrderedDict()
        self.generation: tuple | None = None
        self.checked = 0.0
        self.lock = threading.Lock()

    def current_generation(self) -> tuple:
        now = time.monotonic()
        if now - self.checked >= CHECK_EVERY or self.generation is None:
            from portal.extensions import db

            sources = [GENERATION_SOURCES[name]() for name in sorted(GENERATION_SOURCES)]
            row = db.session.execute(sa.select(*sources)).one() if sources else ()
            generation = tuple(str(v) for v in row)
            with self.lock:
                if generation != self.generation:
                    self.entries.clear()
                    self.generation = generation
                self.checked = now
        return self.generation

    def get(self, key: tuple):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple, value) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)


def cacheable(*, blueprint: str | None = None, endpoint: str | None = None) -> None:
    """Let anonymous visitors' answers of a whole blueprint, or of one endpoint, be cached."""
    if blueprint:
        CACHEABLE_BLUEPRINTS.add(blueprint)
    if endpoint:
        CACHEABLE_ENDPOINTS.add(endpoint)


def generation_source(name: str, expression) -> None:
    """`expression()` returns a scalar subquery whose value changes whenever the area's published content does."""
    GENERATION_SOURCES[name] = expression


def _cacheable() -> bool:
    if request.method not in ("GET", "HEAD") or not current_app.config.get("PAGE_CACHE", True):
        return False
    endpoint = request.endpoint or ""
    if endpoint not in CACHEABLE_ENDPOINTS and endpoint.partition(".")[0] not in CACHEABLE_BLUEPRINTS:
        return False
    # Only visitors who are not logged in and have no message waiting to be shown.
    return "_user_id" not in session and "_flashes" not in session


def init_app(app: Flask) -> None:
    cache = PageCache()
    app.extensions["page_cache"] = cache

    @app.before_request
    def serve_cached():
        if not _cacheable():
            return None
        key = (request.full_path, str(get_locale()), cache.current_generation())
        entry = cache.get(key)
        if entry is None:
            request.environ["portal.cache_key"] = key
            return None
        body, status, headers = entry
        return Response(body, status=status, headers=headers)

    @app.after_request
    def store(response: Response):
        key = request.environ.get("portal.cache_key")
        if (
            key
            and response.status_code == 200
            and not response.direct_passthrough
            and "Set-Cookie" not in response.headers
        ):
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length",)]
            cache.put(key, (response.get_data(), response.status_code, headers))
        return response
