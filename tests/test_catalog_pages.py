"""Public catalog pages: every page type renders in both locales, filters narrow, unknown slugs give 404."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.catalog.models import IncubationBase, Mentor, Park, Project
from portal.policies.models import Policy

LIST_PAGES = ["/", "/bases/", "/parks/", "/projects/", "/mentors/", "/units/", "/policies/", "/privacy", "/about",
              "/ventures/", "/stories/"]  # fmt: skip


def first_slug(db, model) -> str:
    return db.session.scalar(sa.select(model.slug).order_by(model.slug).limit(1))


def detail_paths(db) -> list[str]:
    return [
        f"/bases/{first_slug(db, IncubationBase)}",
        f"/parks/{first_slug(db, Park)}",
        f"/projects/{first_slug(db, Project)}",
        f"/mentors/{first_slug(db, Mentor)}",
        f"/policies/{first_slug(db, Policy)}",
    ]


def title_and_h1(html: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert title and h1, "every page has a title and a heading"
    return title.group(1).strip(), re.sub(r"<[^>]+>", "", h1.group(1)).strip()


@pytest.mark.parametrize("path", LIST_PAGES)
def test_public_pages_render_in_chinese(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in html
    title, h1 = title_and_h1(html)
    assert "南阳市返乡创业服务平台" in title
    assert h1


@pytest.mark.parametrize("path", LIST_PAGES)
def test_public_pages_render_in_english(en_client, path):
    response = en_client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    title, _ = title_and_h1(html)
    assert "Nanyang" in title


def test_detail_pages_render_in_both_locales(client, en_client, db):
    for path in detail_paths(db):
        zh = client.get(path)
        en = en_client.get(path)
        assert zh.status_code == 200, path
        assert en.status_code == 200, path
        title_and_h1(zh.get_data(as_text=True))


@pytest.mark.parametrize("prefix", ["bases", "parks", "projects", "mentors", "policies"])
def test_unknown_slug_is_a_friendly_404(client, prefix):
    response = client.get(f"/{prefix}/no-such-entry")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "页面不存在" in html
    assert "Traceback" not in html


def test_sample_entries_are_labelled(client, db):
    sample = db.session.scalar(sa.select(IncubationBase).where(IncubationBase.sample.is_(True)).limit(1))
    real = db.session.scalar(sa.select(IncubationBase).where(IncubationBase.sample.is_(False)).limit(1))
    assert sample is not None and real is not None
    assert "示例数据" in client.get(f"/bases/{sample.slug}").get_data(as_text=True)
    real_html = client.get(f"/bases/{real.slug}").get_data(as_text=True)
    assert 'class="badge-sample"' not in real_html
    assert "信息来源" in real_html


def _result_count(html: str) -> int:
    match = re.search(r"共 ([\d,]+) 条", html)
    assert match, "the list says how many results it has"
    return int(match.group(1).replace(",", ""))


def test_county_filter_narrows_the_list(client, db):
    total = _result_count(client.get("/bases/").get_data(as_text=True))
    html = client.get("/bases/?county=镇平县").get_data(as_text=True)
    narrowed = _result_count(html)
    expected = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(IncubationBase)
        .join(IncubationBase.county)
        .where(sa.text("county.name = '镇平县'"))
    )
    assert 0 < narrowed == expected < total
    # the same filter by code
    assert _result_count(client.get("/bases/?county=411324").get_data(as_text=True)) == narrowed


@pytest.mark.parametrize(
    "path, param",
    [
        ("/bases/?type=star", "type"),
        ("/parks/?industry=agriculture", "industry"),
        ("/projects/?level=city", "level"),
        ("/mentors/?expertise=tax", "expertise"),
        ("/policies/?category=loan", "category"),
    ],
)
def test_vocabulary_filters_narrow(client, path, param):
    base = path.split("?")[0]
    assert _result_count(client.get(path).get_data(as_text=True)) < _result_count(
        client.get(base).get_data(as_text=True)
    )


def test_mentor_county_filter_includes_citywide_mentors(client, db):
    html = client.get("/mentors/?county=桐柏县").get_data(as_text=True)
    citywide = db.session.scalars(sa.select(Mentor).where(Mentor.citywide.is_(True))).all()
    assert citywide
    for mentor in citywide:
        assert mentor.name in html or _result_count(html) > 12


def test_unknown_filter_value_gives_unfiltered_list_with_notice(client):
    total = _result_count(client.get("/bases/").get_data(as_text=True))
    response = client.get("/bases/?county=火星县&page=abc")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "火星县" in html and "已忽略" in html
    assert "页码无效" in html
    assert _result_count(html) == total


@pytest.mark.parametrize(
    "query",
    ["county=%ff%fe", "page=99999", "page=-1", "type=" + "x" * 500, "county=<script>alert(1)</script>", "page=1e9"],
)
def test_malformed_query_strings_never_fail(client, query):
    response = client.get(f"/bases/?{query}")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_pagination_links(client, app):
    html = client.get("/mentors/").get_data(as_text=True)
    assert 'rel="next"' in html  # 30 mentors, 12 a page
    page2 = client.get("/mentors/?page=2").get_data(as_text=True)
    assert 'rel="prev"' in page2


def test_policy_guide_markdown_is_sanitised(client, db):
    policy = db.session.scalar(sa.select(Policy).limit(1))
    policy.body = "## 标题\n\n<script>alert('x')</script>\n\n[链接](javascript:alert(1))\n"
    db.session.flush()
    html = client.get(f"/policies/{policy.slug}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "<h2>标题</h2>" in html


def test_policy_page_names_its_source_document(client):
    html = client.get("/policies/nanyang-2021-work-plan").get_data(as_text=True)
    assert "宛农工创〔2021〕1号" in html


def test_language_switch_is_remembered(client):
    response = client.get("/lang/en?next=/bases/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/bases/")
    assert '<html lang="en">' in client.get("/bases/").get_data(as_text=True)
    client.get("/lang/zh_Hans_CN?next=/")
    assert '<html lang="zh-Hans-CN">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_language_switch_refuses_open_redirects(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_pages_are_light_and_self_hosted(client, db):
    for path in ["/", "/bases/", "/mentors/", *detail_paths(db)]:
        html = client.get(path).get_data(as_text=True)
        assert len(html.encode()) < 150 * 1024
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not url.startswith(("http://", "https://", "//")) or url.startswith("http://localhost"), url
    css = client.get("/static/portal.css")
    assert css.status_code == 200 and len(css.data) < 30 * 1024
    css.close()


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_page_cache_serves_anonymous_visitors_until_content_changes(app, client, db, monkeypatch):
    from portal.core import cache

    monkeypatch.setitem(app.config, "PAGE_CACHE", True)
    monkeypatch.setattr(cache, "CHECK_EVERY", 0.0)
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == "nanyang-2021-work-plan"))
    first = client.get("/policies/nanyang-2021-work-plan").get_data(as_text=True)
    # a change made behind the cache's back (no index event) is not seen: the page came from the cache
    db.session.execute(sa.update(Policy).where(Policy.id == policy.id).values(issuer="缓存测试单位"))
    assert client.get("/policies/nanyang-2021-work-plan").get_data(as_text=True) == first
    # a real change (it writes an index event) is seen at once
    policy = db.session.get(Policy, policy.id)
    policy.name = "工作要点（已更新）"
    db.session.flush()
    assert "工作要点（已更新）" in client.get("/policies/nanyang-2021-work-plan").get_data(as_text=True)
    # each language has its own copy, and the headers survive
    english = client.get("/policies/nanyang-2021-work-plan", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "default-src 'self'" in english.headers["Content-Security-Policy"]
