"""content/ and the database live together: `content load` reports entries changed in the portal and changes nothing
unless told which side wins (`--prefer files|portal`); `content export DIR` writes the published database back as
files, and loading them into an empty database gives the same public pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.policies.models import Policy
from tests.conftest import CONTENT_DIR, _throwaway_database, make_test_app
from tests.helpers import make_user

SLUG = "guarantee-loan-national"


def publish(app, author_id: int, reviewer_id: int, kind: str, key: str, **changes) -> int:
    """Draft a change as one editor and publish it as another, through the area's operations."""
    from portal.accounts.models import User
    from portal.content import entries
    from portal.editorial import operations
    from portal.extensions import db

    with app.test_request_context(method="POST"):
        author, reviewer = db.session.get(User, author_id), db.session.get(User, reviewer_id)
        data = entries.entry_data(kind, entries.find(kind, key))
        data.update(changes)
        change = operations.draft(author, kind, data, key, submit=True)
        version = operations.publish(reviewer, change).version
        db.session.commit()
        return version


@pytest.fixture
def editor_ids(db):
    a = make_user(db, role="editor", phone="13611110021", name="编辑甲")
    b = make_user(db, role="editor", phone="13611110022", name="编辑乙")
    return a.id, b.id


def current_title(db) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Policy.name).where(Policy.slug == SLUG))


def test_content_load_reports_a_portal_change_and_changes_nothing(app, db, runner, editor_ids):
    file_title = current_title(db)
    publish(app, *editor_ids, "policies", SLUG, title="网站上改过的标题")
    result = runner.invoke(args=["content", "load"])
    assert result.exit_code != 0
    assert f"policies/{SLUG}" in result.output and "--prefer" in result.output
    assert current_title(db) == "网站上改过的标题"

    result = runner.invoke(args=["content", "load", "--prefer", "portal"])
    assert result.exit_code == 0, result.output
    assert "kept 1" in result.output
    assert current_title(db) == "网站上改过的标题"

    result = runner.invoke(args=["content", "load", "--prefer", "files"])
    assert result.exit_code == 0, result.output
    assert current_title(db) == file_title
    policy = db.session.scalar(sa.select(Policy).where(Policy.slug == SLUG))
    assert policy.changed_in_portal_at is None and policy.version == 3  # loaded, published, loaded again
    assert "unchanged" in runner.invoke(args=["content", "load"]).output  # in step again: no conflict


def test_an_unchanged_entry_is_no_conflict_and_a_file_change_elsewhere_still_loads(
    app, db, runner, editor_ids, tmp_path
):
    import shutil

    publish(app, *editor_ids, "policies", SLUG, title="网站上改过的标题")
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    guide = content / "policies" / f"{SLUG}.md"
    guide.write_text(re.sub(r"(?m)^title: .*$", "title: 网站上改过的标题", guide.read_text("utf-8"), count=1), "utf-8")
    other = content / "policies" / "mentor-village-tour.md"
    other.write_text(re.sub(r"(?m)^title: .*$", "title: 文件里改的标题", other.read_text("utf-8"), count=1), "utf-8")
    result = runner.invoke(args=["content", "load", str(content)])
    assert result.exit_code == 0, result.output  # the file now says what the portal published
    db.session.expire_all()
    assert db.session.scalar(sa.select(Policy.name).where(Policy.slug == "mentor-village-tour")) == "文件里改的标题"
    assert db.session.scalar(sa.select(Policy.changed_in_portal_at).where(Policy.slug == SLUG)) is None


# ---------------------------------------------------------------- export round trip

PAGES = [
    f"/policies/{SLUG}",
    "/policies/mentor-village-tour",
    "/policies/",
    "/bases/",
    "/parks/",
    "/projects/",
    "/mentors/",
]


def main_of(html: str) -> str:
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match
    return re.sub(r'name="csrf_token"[^>]*>', "", match.group(0))


@pytest.mark.committing
def test_export_and_load_into_an_empty_database_gives_the_same_pages(isolated_app, tmp_path_factory, tmp_path):
    from flask_migrate import upgrade

    from portal.accounts import services
    from portal.extensions import db

    app = isolated_app
    with app.app_context():
        a = services.create_user("editor", "13611110031", "编辑甲", "good-pass-2026")
        b = services.create_user("editor", "13611110032", "编辑乙", "good-pass-2026")
        db.session.commit()
        ids = a.id, b.id
    publish(app, *ids, "policies", SLUG, title="往返测试标题", body="## 往返\n\n导出再载入后一样。\n")
    with app.app_context():
        mentor = db.session.scalar(sa.text("select slug from mentor order by slug limit 1"))
        base = db.session.scalar(sa.text("select slug from incubation_base order by slug limit 1"))
        project = db.session.scalar(sa.text("select slug from project where park_id is not null order by slug limit 1"))
    publish(app, *ids, "mentors", mentor, bio="导出往返：导师的新简介。", counties=["全市"])
    pages = [*PAGES, f"/mentors/{mentor}", f"/bases/{base}", f"/projects/{project}"]

    out = tmp_path / "export"
    result = app.test_cli_runner().invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "policies" / f"{SLUG}.md").read_text("utf-8").startswith("---\nslug: ")
    assert "往返测试标题" in (out / "policies" / f"{SLUG}.md").read_text("utf-8")
    assert (out / "routing.yaml").exists() and (out / "holidays.yaml").exists()

    url, cleanup = _throwaway_database(tmp_path_factory)
    empty = make_test_app(url, tmp_path_factory.mktemp("round-trip-data"))
    try:
        with empty.app_context():
            upgrade()
        result = empty.test_cli_runner().invoke(args=["content", "load", str(out)])
        assert result.exit_code == 0, result.output
        first, second = app.test_client(), empty.test_client()
        for page in pages:
            one, two = first.get(page), second.get(page)
            assert one.status_code == two.status_code == 200, page
            assert main_of(one.get_data(as_text=True)) == main_of(two.get_data(as_text=True)), page
        assert "往返测试标题" in second.get(f"/policies/{SLUG}").get_data(as_text=True)
    finally:
        with empty.app_context():
            db.engine.dispose()
        cleanup()


def test_units_and_routing_changed_in_the_portal_are_conflicts_too(app, db, runner):
    """A unit edited at /admin/units and routing published at /admin/routing are not silently undone by a load."""
    from portal.catalog.models import Unit
    from portal.content.models import RuleSet
    from portal.db import utcnow

    unit = db.session.scalar(sa.select(Unit).where(Unit.code == "411324-hrss"))
    unit.phone, unit.changed_in_portal_at = "0377-00000000", utcnow()
    routing = db.session.scalar(sa.select(RuleSet).where(RuleSet.name == "routing"))
    routing.data = {**routing.data, "source": "网站上发布的规则"}
    routing.changed_in_portal_at = utcnow()
    db.session.commit()
    result = runner.invoke(args=["content", "load"])
    assert result.exit_code != 0
    assert "unit/411324-hrss" in result.output and "rules/routing" in result.output

    def state():
        db.session.expire_all()
        phone = db.session.scalar(sa.select(Unit.phone).where(Unit.code == "411324-hrss"))
        return phone, db.session.scalar(sa.select(RuleSet.data).where(RuleSet.name == "routing"))["source"]

    assert state() == ("0377-00000000", "网站上发布的规则")
    assert runner.invoke(args=["content", "load", "--prefer", "portal"]).exit_code == 0
    assert state() == ("0377-00000000", "网站上发布的规则")
    assert runner.invoke(args=["content", "load", "--prefer", "files"]).exit_code == 0
    phone, source = state()
    assert phone != "0377-00000000" and source != "网站上发布的规则"
    assert runner.invoke(args=["content", "load"]).exit_code == 0  # in step again
