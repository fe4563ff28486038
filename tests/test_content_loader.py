"""The content pipeline: every kind of bad file is reported with file and line; loading twice changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.catalog.models import IncubationBase, Mentor
from portal.content.loader import apply_content, read_content
from portal.policies.models import Policy
from tests.conftest import CONTENT_DIR


@pytest.fixture
def content_copy(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def problems(ctx_dir: Path) -> list[str]:
    return [str(p) for p in read_content(ctx_dir).problems]


def test_the_shipped_content_is_valid_and_complete(ctx):
    content = read_content(CONTENT_DIR)
    assert content.problems == []
    sizes = {kind: len(records) for kind, records in content.kinds.items()}
    assert sizes["counties"] >= 13
    assert sizes["bases"] >= 20
    assert sizes["parks"] >= 10
    assert sizes["projects"] >= 8
    assert sizes["policies"] >= 15
    assert sizes["mentors"] >= 30
    county_units = [r for r in content.kinds["units"] if r.data["dept"] == "hrss" and r.data["level"] == "county"]
    assert len(county_units) == 13, "every county has its 人社局 counterpart"
    names = {r.data["name"] for r in content.kinds["counties"]}
    for county in [
        "宛城区",
        "卧龙区",
        "南召县",
        "方城县",
        "西峡县",
        "镇平县",
        "内乡县",
        "淅川县",
        "社旗县",
        "唐河县",
        "新野县",
        "桐柏县",
        "邓州市",
    ]:
        assert county in names


def test_bad_county_name_is_reported_with_line(ctx, content_copy):
    bases = content_copy / "bases.yaml"
    edit(bases, "county: 镇平县", "county: 镇平乡")
    line = line_of(bases, "county: 镇平乡")
    found = problems(content_copy)
    assert any(p.startswith(f"{bases}:{line}:") and "未知的县区 “镇平乡”" in p for p in found), found


def test_duplicate_slug_names_both_places(ctx, content_copy):
    mentors = content_copy / "mentors.yaml"
    records = read_content(CONTENT_DIR).kinds["mentors"]
    first, second = records[0].data["slug"], records[1].data["slug"]
    edit(mentors, f"slug: {second}", f"slug: {first}")
    found = problems(content_copy)
    assert any("重复" in p and first in p and str(mentors) in p for p in found), found


def test_missing_required_field(ctx, content_copy):
    parks = content_copy / "parks.yaml"
    text = parks.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("address:"))
    del lines[index]
    parks.write_text("".join(lines), encoding="utf-8")
    assert any("缺少必填字段 address" in p and str(parks) in p for p in problems(content_copy))


def test_unknown_field_and_bad_enum(ctx, content_copy):
    bases = content_copy / "bases.yaml"
    edit(bases, "  type: incubator", "  type: factory")
    edit(bases, "  level:", "  colour: red\n  level:")
    found = problems(content_copy)
    assert any("type" in p and "factory" in p and "不在允许范围内" in p for p in found), found
    assert any("未知字段 colour" in p for p in found), found


def test_yaml_syntax_error_reports_line(ctx, content_copy):
    projects = content_copy / "projects.yaml"
    with projects.open("a", encoding="utf-8") as fh:
        fh.write("- slug: broken\n  name: [unclosed\n")
    found = problems(content_copy)
    assert any(p.startswith(str(projects)) and "YAML 格式错误" in p for p in found), found


def test_bad_policy_front_matter(ctx, content_copy):
    policy = next((content_copy / "policies").glob("*.md"))
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("issued:", "issued: not-a-date\nold_issued:", 1), encoding="utf-8")
    found = problems(content_copy)
    assert any(str(policy) in p and "应为日期" in p for p in found), found


def test_real_entries_need_a_source(ctx, content_copy):
    bases = content_copy / "bases.yaml"
    text = bases.read_text(encoding="utf-8")
    start = text.index("sample: false")
    source_at = text.index("source:", start - 2000 if start > 2000 else 0)
    end = text.index("\n", source_at)
    bases.write_text(text[:source_at] + "tags: []" + text[end:], encoding="utf-8")
    assert any("必须写明来源" in p for p in problems(content_copy))


def test_unknown_unit_in_policy(ctx, content_copy):
    policy = content_copy / "policies" / "guarantee-loan-national.md"
    edit(policy, "city-hrss", "city-nonexistent")
    assert any("未知的单位代码 “city-nonexistent”" in p for p in problems(content_copy))


def test_problems_leave_the_database_untouched(runner, db, content_copy):
    bases = content_copy / "bases.yaml"
    first = read_content(CONTENT_DIR).kinds["bases"][0].data
    edit(bases, f"name: {first['name']}", "name: 一个合法的新名字")  # valid on its own…
    edit(bases, "county: 镇平县", "county: 火星县")  # …but another entry is broken
    result = runner.invoke(args=["content", "load", str(content_copy)])
    assert result.exit_code != 0
    assert "火星县" in result.output
    assert "数据库未做任何修改" in result.output
    stored = db.session.scalar(sa.select(IncubationBase.name).where(IncubationBase.slug == first["slug"]))
    assert stored == first["name"]


def test_loading_twice_changes_nothing(runner, db):
    result = runner.invoke(args=["content", "load", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    assert "created" not in result.output and "updated" not in result.output
    assert "bases: unchanged" in result.output


def test_an_edit_is_upserted_by_slug(runner, db, content_copy):
    mentors = content_copy / "mentors.yaml"
    slug = read_content(CONTENT_DIR).kinds["mentors"][0].data["slug"]
    count_before = db.session.scalar(sa.select(sa.func.count()).select_from(Mentor))
    edit(mentors, "title: ", "title: 新头衔·", 1)
    result = runner.invoke(args=["content", "load", str(content_copy)])
    assert result.exit_code == 0, result.output
    assert "mentors: unchanged 29, updated 1" in result.output
    mentor = db.session.scalar(sa.select(Mentor).where(Mentor.slug == slug))
    assert mentor.title.startswith("新头衔·")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentor)) == count_before


def test_prune_removes_entries_no_longer_listed(runner, db, content_copy):
    victim = sorted((content_copy / "policies").glob("*.md"))[0]
    slug = victim.stem
    victim.unlink()
    result = runner.invoke(args=["content", "load", "--prune", str(content_copy)])
    assert result.exit_code == 0, result.output
    assert "deleted 1" in result.output
    assert db.session.scalar(sa.select(Policy).where(Policy.slug == slug)) is None


def test_apply_is_one_transaction(ctx, db, monkeypatch):
    """A failure half-way leaves nothing written."""
    content = read_content(CONTENT_DIR)
    content.kinds["mentors"][0].data["name"] = None  # violates NOT NULL at flush time
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Mentor))
    with pytest.raises(sa.exc.IntegrityError):
        apply_content(content)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentor)) == count
