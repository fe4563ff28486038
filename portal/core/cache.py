"""A small in-process cache of public pages for visitors who are not logged in.

Public pages (catalog, policy guides, the open-data API) are the same for every anonymous visitor in one
language, and most traffic is exactly that. A page is kept until the published content changes: the
"content generation" (newest index event, newest unit and rule-set change) is read at most once a second.
Logged-in users, pages with a pending message, errors and anything but GET/HEAD are never cached.

The cache knows no area: each area says which of its pages may be cached (`cacheable`) and what makes its
published content change (`generation_source`, a scalar SQL expression such as the newest change time).

Bounded, whatever visitors send: each worker keeps at most PAGE_CACHE_MAX_BYTES of pages (bodies and headers;
`PORTAL_PAGE_CACHE_MB`, default 32), dropping the least recently used first. A page is keyed on its endpoint, its
path values and the query parameters its listing knows (filters, their aliases, `page`, and `per_page` in the API),
sorted, so `?b=1&a=2` and `?a=2&b=1` share one entry. A request carrying any other parameter, a filter value the
listing does not know or a page number that is not a plain number is answered but not kept: made-up query strings
cannot fill the cache.
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
LISTING_RESOLVERS: list = []
MAX_ENTRIES = 2000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
CHECK_EVERY = 1.0


def entry_size(key: tuple, value: tuple[bytes, int, list]) -> int:
    """What an entry costs, roughly but never less than its body, headers and key."""
    body, _status, headers = value
    return len(body) + sum(len(k) + len(v) for k, v in headers) + sum(len(str(part)) for part in key) + 200


class PageCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, max_entries: int = MAX_ENTRIES) -> None:
        self.entries: OrderedDict[tuple, tuple[bytes, int, list]] = OrderedDict()
        self.sizes: dict[tuple, int] = {}
        self.size = 0  # bytes held, the sum of self.sizes
        self.max_bytes = max_bytes
        self.max_entries = max_entries
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
                    self._clear()
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
        size = entry_size(key, value)
        with self.lock:
            if key in self.entries:
                self._drop(key)
            if size > self.max_bytes:
                return  # a page bigger than the whole budget is served, never kept
            self.entries[key] = value
            self.sizes[key] = size
            self.size += size
            while self.size > self.max_bytes or len(self.entries) > self.max_entries:
                self._drop(next(iter(self.entries)))  # the least recently used

    def clear(self) -> None:
        with self.lock:
            self._clear()

    def _drop(self, key: tuple) -> None:
        del self.entries[key]
        self.size -= self.sizes.pop(key)

    def _clear(self) -> None:
        self.entries.clear()
        self.sizes.clear()
        self.size = 0


def cacheable(*, blueprint: str | None = None, endpoint: str | None = None) -> None:
    """Let anonymous visitors' answers of a whole blueprint, or of one endpoint, be cached."""
    if blueprint:
        CACHEABLE_BLUEPRINTS.add(blueprint)
    if endpoint:
        CACHEABLE_ENDPOINTS.add(endpoint)


def listing_resolver(resolve) -> None:
    """`resolve(endpoint, view_args)` names the listing (its known filters) of an area's cacheable list page."""
    if resolve not in LISTING_RESOLVERS:
        LISTING_RESOLVERS.append(resolve)


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


def _listing_for(endpoint: str, view_args: dict):
    """The listing whose filters a list endpoint reads (asked of the areas), or None for a page that reads none."""
    for resolve in LISTING_RESOLVERS:
        listing = resolve(endpoint, view_args)
        if listing is not None:
            return listing
    return None


def normalised_query(endpoint: str, view_args: dict, args) -> tuple | None:
    """The query parameters that make this page what it is, sorted; None when the page must not be kept
    (a parameter the page does not know, a filter value its listing does not know, a page number that is odd)."""
    if not args:
        return ()
    from portal.core.listing import parse_filters

    listing = _listing_for(endpoint, view_args)
    if listing is None:
        return None  # this page reads no parameter: anything in its query string is made up
    known = {"page"} | ({"per_page"} if endpoint.startswith("api.") else set())
    for f in listing.filters:
        known.add(f.name)
        known.update(f.aliases)
    if any(name not in known for name in args):
        return None
    for name in ("page", "per_page"):
        value = args.get(name)
        if value is not None and not (value.isascii() and value.isdigit() and len(value) <= 6):
            return None
    _active, bad = parse_filters(listing, args)
    if bad:
        return None
    return tuple(sorted((name, tuple(args.getlist(name))) for name in args))


def init_app(app: Flask) -> None:
    cache = PageCache(max_bytes=int(app.config.get("PAGE_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)))
    app.extensions["page_cache"] = cache

    @app.before_request
    def serve_cached():
        if not _cacheable():
            return None
        view_args = request.view_args or {}
        query = normalised_query(request.endpoint or "", view_args, request.args)
        if query is None:
            return None  # answered, not kept
        key = (
            request.endpoint,
            tuple(sorted(view_args.items())),
            query,
            str(get_locale()),
            cache.current_generation(),
        )
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
