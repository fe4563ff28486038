"""Content editing: an editor drafts, a second editor (never the author) publishes; the public page and search show
it at once; history, diffs, restore, unpublication, optimistic locking; 404 for everyone else."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa

from portal.editorial.models import ContentChange, ContentVersion
from portal.policies.models import Policy
from tests.helpers import client_for, csrf_token, make_user, text

SLUG = "guarantee-loan-national"
EDITOR_A, EDITOR_B = "13611110001", "13611110002"


@pytest.fixture
def editors(db):
    return {
        "a": make_user(db, role="editor", phone=EDITOR_A, name="编辑甲"),
        "b": make_user(db, role="editor", phone=EDITOR_B, name="编辑乙"),
    }


def form_fields(html: str) -> dict[str, str]:
    """The entry form's current values, as a browser would send them (checkboxes only when ticked)."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html):
        fields.setdefault(name, value)
    for name in re.findall(r'<input[^>]*?checked[^>]*?name="([^"]+)"', html) + re.findall(
        r'<input[^>]*?name="([^"]+)"[^>]*?checked', html
    ):
        fields[name] = "y"
    for attrs, value in re.findall(r"<textarea([^>]*)>(.*?)</textarea>", html, re.S):
        name = re.search(r'name="([^"]+)"', attrs).group(1)
        fields[name] = _unescape(value.lstrip("\n"))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'<option value="([^"]*)" selected', body
        )
        fields[name] = _unescape(chosen.group(1)) if chosen else ""
    return {k: _unescape(v) for k, v in fields.items()}


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def draft_edit(client, kind: str, key: str, submit: bool = True, **changes) -> int:
    url = f"/editorial/{kind}/{key}/edit"
    fields = form_fields(text(client.get(url)))
    fields.update(changes)
    fields["action"] = "submit" if submit else "save"
    response = client.post(url, data=fields)
    assert response.status_code == 302, text(response)[:3000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def post_action(client, change_id: int, action: str, **data):
    token = csrf_token(client, f"/editorial/changes/{change_id}")
    return client.post(f"/editorial/changes/{change_id}/{action}", data={"csrf_token": token, **data})


def status_of(db, change_id: int) -> str:
    db.session.expire_all()
    return db.session.get(ContentChange, change_id).status


def search_titles(client, q: str) -> list[str]:
    return [item["title"] for item in client.get("/api/v1/search", query_string={"q": q}).get_json()["items"]]


@pytest.fixture
def page_cache(app):
    """The anonymous page cache switched on, as in production, and emptied afterwards."""
    app.config["PAGE_CACHE"] = True
    app.extensions["page_cache"].clear()
    yield app.extensions["page_cache"]
    app.config["PAGE_CACHE"] = False
    app.extensions["page_cache"].clear()


def test_a_guide_drafted_by_one_editor_and_published_by_another_shows_at_once(
    app, db, editors, page_cache, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "PORTAL_DATA_DIR", str(tmp_path))  # this test's own search index
    public = app.test_client()
    assert "青鸾计划" not in text(public.get(f"/policies/{SLUG}"))  # now cached
    assert "创业担保贷款青鸾计划" not in search_titles(public, "青鸾计划")
    a, b = client_for(app, EDITOR_A), client_for(app, EDITOR_B)
    change_id = draft_edit(a, "policies", SLUG, title="创业担保贷款青鸾计划", body="## 新的要点\n\n青鸾计划的说明。\n")
    assert status_of(db, change_id) == "submitted"

    # The author cannot publish: the button is not offered and the request is refused as if it did not exist.
    assert "审核通过并发布" not in text(a.get(f"/editorial/changes/{change_id}"))
    assert post_action(a, change_id, "publish").status_code == 404
    assert status_of(db, change_id) == "submitted"
    assert "青鸾计划" not in text(public.get(f"/policies/{SLUG}"))

    # The second editor sees it waiting, and publishes it.
    assert f"/editorial/changes/{change_id}" in text(b.get("/editorial/"))
    assert post_action(b, change_id, "publish").status_code == 302
    assert status_of(db, change_id) == "published"
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == SLUG))
    assert policy.name == "创业担保贷款青鸾计划" and policy.version == 2 and policy.changed_in_portal_at
    versions = db.session.scalars(sa.select(ContentVersion).where(ContentVersion.key == SLUG)).all()
    assert sorted(v.version for v in versions) == [1, 2]  # the loaded version is kept beside the published one

    time.sleep(1.05)  # the page cache looks at the content generation once a second; the index every half second
    page = text(public.get(f"/policies/{SLUG}"))
    assert "创业担保贷款青鸾计划" in page and "青鸾计划的说明" in page
    assert "创业担保贷款青鸾计划" in search_titles(public, "青鸾计划")
    assert "创业担保贷款青鸾计划" in text(public.get("/search", query_string={"q": "青鸾计划"}))


def test_everyone_but_editors_gets_404_and_admins_only_read(app, db, editors):
    change_id = draft_edit(client_for(app, EDITOR_A), "policies", SLUG, title="改过的标题")
    pages = [
        "/editorial/",
        "/editorial/policies/",
        "/editorial/policies/new",
        f"/editorial/policies/{SLUG}/edit",
        f"/editorial/policies/{SLUG}/history",
        f"/editorial/policies/{SLUG}/diff?a=1&b=2",
        f"/editorial/policies/{SLUG}/unpublish",
        f"/editorial/changes/{change_id}",
        f"/editorial/changes/{change_id}/edit",
    ]
    people = {"applicant": "13611110011", "staff": "13611110012", "office": "13611110013", "admin": "13611110014"}
    make_user(db, phone=people["applicant"])
    make_user(db, role="staff", phone=people["staff"], unit_code="411324-hrss")
    make_user(db, role="office", phone=people["office"], unit_code="city-office")
    make_user(db, role="admin", phone=people["admin"])
    for role, phone in people.items():
        client = client_for(app, phone)
        for page in pages:
            status = client.get(page).status_code
            readable = role == "admin" and not page.endswith(("/new", "/edit", "/unpublish")) and "diff" not in page
            assert status == (200 if readable else 404), (role, page, status)
        token = csrf_token(client, "/account/password")
        for action in ("publish", "reject", "withdraw", "submit"):
            response = client.post(f"/editorial/changes/{change_id}/{action}", data={"csrf_token": token})
            assert response.status_code == 404, (role, action)
        response = client.post(f"/editorial/policies/{SLUG}/restore/1", data={"csrf_token": token})
        assert response.status_code in (302, 404)
    assert status_of(db, change_id) == "submitted"
    anonymous = app.test_client().get("/editorial/")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]


def test_the_preview_works_without_javascript_and_is_sanitised(app, db, editors):
    a = client_for(app, EDITOR_A)
    url = f"/editorial/policies/{SLUG}/edit"
    fields = form_fields(text(a.get(url)))
    fields.update(
        body="## 小标题\n\n**要紧的**话<script>alert(1)</script>\n\n[链接](javascript:alert(2))\n", action="preview"
    )
    response = a.post(url, data=fields)
    page = text(response)
    assert response.status_code == 200
    preview = page.split('id="preview-heading"', 1)[1]
    assert "<h2>小标题</h2>" in preview and "<strong>要紧的</strong>" in preview
    assert "<script>alert" not in page and 'href="javascript' not in preview
    assert "&lt;script&gt;" in preview  # raw HTML is shown as text, as on the public page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentChange)) == 0  # a preview saves nothing


def _load_message(tmp_path, yaml_text: str) -> str:
    """The message `content load` gives for one bad bases.yaml entry."""
    import shutil

    from portal.content.loader import read_content
    from tests.conftest import CONTENT_DIR

    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    (target / "bases.yaml").write_text(yaml_text, encoding="utf-8")
    problems = [p for p in read_content(target).problems if p.path.endswith("bases.yaml")]
    assert len(problems) == 1, problems
    return problems[0].message


BASE = dict(
    slug="zhenping-test-base",
    name="镇平测试基地",
    type="incubator",
    level="county",
    county="镇平县",
    address="镇平县城关镇",
    operator="测试运营方",
    services="免费工位",
    description="一段介绍。",
    sample="y",
)


@pytest.mark.parametrize(
    ("changes", "yaml_change", "field"),
    [
        ({"slug": "Bad_Slug"}, ("slug: zhenping-test-base", "slug: Bad_Slug"), "slug"),
        ({"sample": ""}, ("sample: true", "sample: false"), "source"),
        ({"year": "一九九九"}, ("sample: true", "sample: true\n  year: 一九九九"), "year"),
        ({"level": "galactic"}, ("level: county", "level: galactic"), "level"),
    ],
)
def test_form_messages_are_those_of_content_load(app, db, editors, tmp_path, changes, yaml_change, field):
    yaml_text = """- slug: zhenping-test-base
  name: 镇平测试基地
  type: incubator
  level: county
  county: 镇平县
  address: 镇平县城关镇
  operator: 测试运营方
  services: [免费工位]
  description: 一段介绍。
  sample: true
"""
    expected = _load_message(tmp_path, yaml_text.replace(*yaml_change))
    a = client_for(app, EDITOR_A)
    data = {**BASE, **changes, "csrf_token": csrf_token(a, "/editorial/bases/new"), "action": "save"}
    if not data["sample"]:
        del data["sample"]
    response = a.post("/editorial/bases/new", data=data)
    page = text(response)
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error"><p>(.*?)</p>', page)
    assert error, page[:2000]
    import html

    assert html.unescape(error.group(1)) == expected
    assert 'value="镇平测试基地"' in page  # the other answers are kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContentChange)) == 0


def test_a_new_base_is_published_and_listed(app, db, editors):
    a, b = client_for(app, EDITOR_A), client_for(app, EDITOR_B)
    data = {**BASE, "csrf_token": csrf_token(a, "/editorial/bases/new"), "action": "submit"}
    response = a.post("/editorial/bases/new", data=data)
    assert response.status_code == 302, text(response)[:2000]
    change_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert post_action(b, change_id, "publish").status_code == 302
    assert "镇平测试基地" in text(app.test_client().get("/bases/zhenping-test-base"))


def test_history_diff_and_restore_as_a_reviewed_draft(app, db, editors):
    a, b = client_for(app, EDITOR_A), client_for(app, EDITOR_B)
    first = draft_edit(a, "policies", SLUG, title="第二版标题")
    post_action(b, first, "publish")
    second = draft_edit(b, "policies", SLUG, title="第三版标题")
    post_action(a, second, "publish")
    history = text(a.get(f"/editorial/policies/{SLUG}/history"))
    assert "编辑甲" in history and "编辑乙" in history and "与上一版比较" in history
    diff = text(a.get(f"/editorial/policies/{SLUG}/diff?a=2&b=3"))
    assert re.search(r'class="diff-del">.*?<del>title: 第二版标题</del>', diff, re.S)
    assert re.search(r'class="diff-add">.*?<ins>title: 第三版标题</ins>', diff, re.S)

    token = csrf_token(a, f"/editorial/policies/{SLUG}/history")
    response = a.post(f"/editorial/policies/{SLUG}/restore/1", data={"csrf_token": token})
    restored = int(response.headers["Location"].rsplit("/", 1)[1])
    assert status_of(db, restored) == "draft"
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == SLUG))
    assert policy.name == "第三版标题"  # a restore is a draft until a second editor publishes it
    assert post_action(a, restored, "submit").status_code == 302
    assert post_action(a, restored, "publish").status_code == 404
    post_action(b, restored, "publish")
    db.session.expire_all()
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == SLUG))
    assert policy.version == 4 and policy.name != "第三版标题"
    assert policy.name in text(app.test_client().get(f"/policies/{SLUG}"))


def test_rejecting_needs_a_reason_the_author_sees(app, db, editors):
    a, b = client_for(app, EDITOR_A), client_for(app, EDITOR_B)
    change_id = draft_edit(a, "policies", SLUG, title="要退回的标题")
    post_action(b, change_id, "reject", note="")
    assert status_of(db, change_id) == "submitted"
    post_action(b, change_id, "reject", note="文号写错了")
    assert status_of(db, change_id) == "rejected"
    assert "文号写错了" in text(a.get(f"/editorial/changes/{change_id}"))


def test_unpublishing_hides_the_entry_from_lists_pages_and_search(app, db, editors, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_DATA_DIR", str(tmp_path))
    public = app.test_client()
    title = db.session.scalar(sa.select(Policy.name).where(Policy.slug == SLUG))
    assert title in search_titles(public, title)
    a, b = client_for(app, EDITOR_A), client_for(app, EDITOR_B)
    token = csrf_token(a, f"/editorial/policies/{SLUG}/unpublish")
    assert a.post(f"/editorial/policies/{SLUG}/unpublish", data={"csrf_token": token, "reason": ""}).status_code == 400
    response = a.post(f"/editorial/policies/{SLUG}/unpublish", data={"csrf_token": token, "reason": "政策已废止"})
    change_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert public.get(f"/policies/{SLUG}").status_code == 200  # not before a second editor publishes it
    post_action(b, change_id, "publish")
    assert public.get(f"/policies/{SLUG}").status_code == 404
    assert f"/policies/{SLUG}" not in text(public.get("/policies/"))
    assert public.get(f"/api/v1/policies/{SLUG}").status_code == 404
    time.sleep(0.55)
    assert title not in search_titles(public, title)
    assert "政策已废止" in text(a.get(f"/editorial/policies/{SLUG}/history"))


def test_two_drafts_on_one_version_the_second_publication_is_refused_and_shown_the_first(app, db, editors):
    a, b = client_for(app, EDITOR_A), client_for(app, EDITOR_B)
    first = draft_edit(a, "policies", SLUG, title="甲改的标题")
    second = draft_edit(b, "policies", SLUG, title="乙改的标题")
    post_action(b, first, "publish")
    page = text(a.get(f"/editorial/changes/{second}"))
    assert "这一条目已被别人改过" in page and "甲改的标题" in page and "审核通过并发布" not in page
    response = post_action(a, second, "publish")
    assert response.status_code == 302
    assert status_of(db, second) == "submitted"
    db.session.expire_all()
    assert db.session.scalar(sa.select(Policy.name).where(Policy.slug == SLUG)) == "甲改的标题"
    follow = text(a.get(response.headers["Location"]))
    assert "已被别人发布过新版本" in follow and "甲改的标题" in follow
