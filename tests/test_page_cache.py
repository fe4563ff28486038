"""The anonymous page cache is bounded in bytes and keyed on the parameters a page knows: junk cannot fill it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.catalog.models import County
from portal.core import cache as page_cache
from portal.core.cache import PageCache


@pytest.fixture
def cache(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE", True)
    monkeypatch.setattr(page_cache, "CHECK_EVERY", 3600.0)  # no generation change midway
    store = app.extensions["page_cache"]
    monkeypatch.setattr(store, "max_bytes", store.max_bytes)
    store.clear()
    yield store
    store.clear()


def test_unknown_parameters_are_answered_but_never_kept(client, cache):
    assert client.get("/bases/").status_code == 200
    held = len(cache.entries)
    for n in range(200):
        for url in (f"/bases/?utm_source={n}", f"/bases/?county=%E7%81%AB{n}", f"/?x={n}", f"/bases/?page=0{n}x"):
            assert client.get(url).status_code == 200
    assert len(cache.entries) == held


def test_the_same_parameters_in_another_order_share_one_entry(client, cache):
    assert client.get("/bases/?county=镇平县&page=1").status_code == 200
    assert len(cache.entries) == 1
    key = next(iter(cache.entries))
    _body, status, headers = cache.entries[key]
    cache.entries[key] = (b"FROM-THE-CACHE", status, headers)  # so that a page served from the cache shows it
    assert client.get("/bases/?page=1&county=镇平县").get_data() == b"FROM-THE-CACHE"
    assert client.get("/bases/?county=%E9%95%87%E5%B9%B3%E5%8E%BF&page=1").get_data() == b"FROM-THE-CACHE"
    assert b"FROM-THE-CACHE" not in client.get("/bases/?county=镇平县&page=1&utm=1").get_data()
    assert b"FROM-THE-CACHE" not in client.get("/bases/?county=镇平县&page=2").get_data()
    assert len(cache.entries) == 2


def test_api_filters_and_paging_are_known_parameters(client, cache):
    assert client.get("/api/v1/bases?per_page=5&county=411324").status_code == 200
    assert client.get("/api/v1/bases?county=411324&per_page=5").status_code == 200
    assert client.get("/api/v1/bases?county=411324&per_page=5&callback=x").status_code == 200
    assert len(cache.entries) == 1


def test_the_cache_holds_at_most_its_byte_budget(client, cache, db):
    page = client.get("/bases/").get_data()
    cache.clear()
    cache.max_bytes = 3 * len(page) + 4000
    counties = db.session.scalars(sa.select(County.name).order_by(County.code)).all()
    for name in counties:
        assert client.get("/bases/", query_string={"county": name}).status_code == 200
        assert cache.size <= cache.max_bytes
    assert len(counties) > 5 and 1 <= len(cache.entries) < len(counties), "older pages were dropped"
    assert cache.size == sum(cache.sizes.values())
    # the most recent pages are the ones kept
    assert any(dict(key[2]).get("county") == (counties[-1],) for key in cache.entries)


def test_a_page_larger_than_the_budget_is_served_not_kept():
    store = PageCache(max_bytes=1200)
    store.put(("k",), (b"x" * 2000, 200, []))
    assert store.entries == {} and store.size == 0
    store.put(("a",), (b"x" * 300, 200, []))
    store.put(("b",), (b"x" * 300, 200, []))
    store.put(("c",), (b"x" * 300, 200, []))
    assert list(store.entries) == [("b",), ("c",)] and store.size <= 1200
    store.put(("b",), (b"y" * 10, 200, []))  # replacing an entry counts its new size only
    assert store.size == sum(store.sizes.values())


def test_the_budget_is_a_setting_with_a_default(app):
    assert app.config["PAGE_CACHE_MAX_BYTES"] == 32 * 1024 * 1024
    assert app.extensions["page_cache"].max_bytes == app.config["PAGE_CACHE_MAX_BYTES"]
