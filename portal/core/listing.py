"""Filtered, paginated lists shared by the catalog pages and the JSON API, so the two cannot disagree."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from portal.extensions import db


@dataclass
class Filter:
    name: str
    choices: Callable[[], list[tuple[str, str]]]  # (value, label) pairs offered on the page
    resolve: Callable[[str], Any]  # raw value -> resolved value, or None when unknown
    apply: Callable[[sa.Select, Any], sa.Select]
    aliases: tuple[str, ...] = ()
    label: Any = ""


@dataclass
class Listing:
    kind: str
    model: type
    filters: list[Filter]
    order_by: Callable[[], list]
    options: Callable[[], list] = field(default=lambda: [])
    where: Callable[[], list] = field(default=lambda: [])  # conditions every page of it has (published only)

    def filter(self, name: str) -> Filter | None:
        for f in self.filters:
            if name == f.name or name in f.aliases:
                return f
        return None


@dataclass
class BadValue:
    name: str
    value: str


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def parse_filters(listing: Listing, args: Mapping[str, str]) -> tuple[dict[str, tuple[str, Any]], list[BadValue]]:
    """Resolve the known filter parameters; unknown values are reported, never raised."""
    active: dict[str, tuple[str, Any]] = {}
    bad: list[BadValue] = []
    for key in args:
        f = listing.filter(key)
        if f is None:
            continue
        raw = (args.get(key) or "").strip()
        if not raw:
            continue
        resolved = f.resolve(raw) if len(raw) <= 100 else None
        if resolved is None:
            bad.append(BadValue(f.name, raw))
        else:
            active[f.name] = (raw, resolved)
    return active, bad


def parse_int(raw: str | None, default: int, minimum: int = 1, maximum: int | None = None) -> tuple[int, bool]:
    """Return (value, ok): a malformed or out-of-range number falls back to the default."""
    if raw is None or raw == "":
        return default, True
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default, False
    if value < minimum or (maximum is not None and value > maximum):
        return default, False
    return value, True


def run(listing: Listing, active: dict[str, tuple[str, Any]], page: int, per_page: int) -> Page:
    stmt = sa.select(listing.model).where(*listing.where())
    for name, (_raw, value) in active.items():
        f = listing.filter(name)
        assert f is not None
        stmt = f.apply(stmt, value)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    stmt = stmt.order_by(*listing.order_by()).options(*listing.options())
    stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(stmt).unique())
    return Page(items=items, total=total, page=page, per_page=per_page)
