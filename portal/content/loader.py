"""Reads content/, validates every file, and upserts the catalog in one transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.catalog.models import County, IncubationBase, Mentor, Park, Project, Unit
from portal.content import conflicts, entries, schema
from portal.content.entries import check_fields
from portal.content.models import RuleSet
from portal.content.yamlfile import ContentSyntaxError, LineDict, Problem, load_front_matter, load_yaml
from portal.extensions import db
from portal.policies.models import Policy
from portal.search.models import SearchAnswer, SearchTerm

CITYWIDE = "全市"


@dataclass
class Record:
    path: str
    line: int
    data: dict
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@dataclass
class Content:
    """Everything read from a content directory, validated and normalised."""

    kinds: dict[str, list[Record]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def add(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))


FILES = [
    ("counties.yaml", schema.COUNTIES),
    ("units.yaml", schema.UNITS),
    ("bases.yaml", schema.BASES),
    ("parks.yaml", schema.PARKS),
    ("projects.yaml", schema.PROJECTS),
    ("mentors.yaml", schema.MENTORS),
    ("answers.yaml", schema.ANSWERS),
    ("search-terms.yaml", schema.SEARCH_TERMS),
]


def _rule_files() -> dict[str, tuple[str, Any]]:
    """Rule files: filename -> (rule set name, validator returning a list of problems)."""
    from portal.applications.material import validate_checklists
    from portal.applications.rules import validate_rules_file
    from portal.catalog.vocab import DEPTS
    from portal.dashboard.targets import validate_targets, validate_work_items
    from portal.queues.calendar import validate_holidays
    from portal.routing.rules import validate as validate_routing

    return {
        "loan-rules.yaml": ("loan_rules", validate_rules_file),
        "routing.yaml": ("routing", lambda data: validate_routing(data, set(DEPTS))),
        "holidays.yaml": ("holidays", validate_holidays),
        "material-checklists.yaml": ("checklists", validate_checklists),
        "targets.yaml": ("targets", validate_targets),
        "work-items.yaml": ("work_items", validate_work_items),
    }


def _read_rules(content: Content, path: Path, validator) -> Any:
    if not path.exists():
        content.add(str(path), 0, _("缺少文件 %(file)s", file=path.name))
        return None
    try:
        data = load_yaml(path)
    except ContentSyntaxError as exc:
        content.problems.append(exc.problem)
        return None
    problems = validator(data)
    for problem in problems:
        content.add(str(path), getattr(data, "line", 1) or 1, problem)
    return None if problems else _plain(data)


def _plain(value: Any) -> Any:
    """LineDicts back to plain values, so they can be stored as JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _validate_mapping(content: Content, kind: schema.Kind, path: str, raw: Any) -> Record | None:
    if not isinstance(raw, LineDict):
        content.add(path, 1, _("每一项都应是键值对"))
        return None
    for key, line in raw.duplicate_keys:
        content.add(path, line, _("字段 %(field)s 重复出现", field=key))
    fields = kind.field_map()
    ok = True
    for key in raw:
        if key not in fields:
            content.add(path, raw.key_lines.get(key, raw.line), _("未知字段 %(field)s", field=key))
            ok = False
    data, errors = check_fields(kind, raw)
    for name, (message, at_key) in errors.items():
        content.add(path, raw.key_lines.get(name, raw.line) if at_key else raw.line, message)
        ok = False
    return Record(path, raw.line, data, dict(raw.key_lines)) if ok else None


def _read_list(content: Content, kind: schema.Kind, path: Path) -> list[Record]:
    try:
        items = load_yaml(path)
    except ContentSyntaxError as exc:
        content.problems.append(exc.problem)
        return []
    if items is None:
        return []
    if not isinstance(items, list):
        content.add(str(path), 1, _("文件的顶层应是一个列表（每项以 - 开头）"))
        return []
    records = [_validate_mapping(content, kind, str(path), item) for item in items]
    return [r for r in records if r is not None]


def _read_policies(content: Content, directory: Path) -> list[Record]:
    records = []
    for path in sorted(directory.glob("*.md")):
        try:
            meta, body, _body_line = load_front_matter(path)
        except ContentSyntaxError as exc:
            content.problems.append(exc.problem)
            continue
        record = _validate_mapping(content, schema.POLICIES, str(path), meta)
        if record is None:
            continue
        if not body.strip():
            content.add(str(path), meta.line, _("政策指南正文不能为空"))
            continue
        record.data["body"] = body.strip() + "\n"
        records.append(record)
    return records


def _check_unique(content: Content, records: list[Record], key: str) -> None:
    seen: dict[Any, Record] = {}
    for record in records:
        value = record.data[key]
        if value in seen:
            first = seen[value]
            content.add(
                record.path,
                record.line_of(key),
                _(
                    "%(key)s “%(value)s” 重复（第一次出现在 %(where)s）",
                    key=key,
                    value=value,
                    where=f"{first.path}:{first.line_of(key)}",
                ),
            )
        else:
            seen[value] = record


def read_content(directory: str | Path) -> Content:
    """Read and validate everything under `directory`; nothing touches the database."""
    directory = Path(directory)
    content = Content()
    if not directory.is_dir():
        content.add(str(directory), 0, _("内容目录不存在"))
        return content
    for filename, kind in FILES:
        path = directory / filename
        if not path.exists():
            content.add(str(path), 0, _("缺少文件 %(file)s", file=filename))
            content.kinds[kind.name] = []
            continue
        content.kinds[kind.name] = _read_list(content, kind, path)
    policy_dir = directory / "policies"
    content.kinds["policies"] = _read_policies(content, policy_dir) if policy_dir.is_dir() else []
    for filename, (_name, validator) in _rule_files().items():
        content.extras[filename] = _read_rules(content, directory / filename, validator)
    _cross_check(content)
    return content


def _cross_check(content: Content) -> None:
    counties = content.kinds["counties"]
    _check_unique(content, counties, "code")
    _check_unique(content, counties, "name")
    county_keys = {r.data["code"] for r in counties} | {r.data["name"] for r in counties}
    for record in counties:
        if not schema.COUNTY_CODE_RE.match(record.data["code"]):
            content.add(
                record.path,
                record.line_of("code"),
                _("区划代码 “%(code)s” 不合规：应为 6 位数字或 zone-名称", code=record.data["code"]),
            )

    def check_county(record: Record, key: str, value: str) -> None:
        if value not in county_keys:
            content.add(
                record.path,
                record.line_of(key),
                _("未知的县区 “%(county)s”：请使用 counties.yaml 中的名称或代码", county=value),
            )

    units = content.kinds["units"]
    _check_unique(content, units, "code")
    for record in units:
        data = record.data
        if not schema.UNIT_CODE_RE.match(data["code"]):
            content.add(
                record.path,
                record.line_of("code"),
                _("单位代码 “%(code)s” 不合规：应为 city-部门 或 区划代码-部门", code=data["code"]),
            )
        if data["level"] == "county":
            if not data.get("county"):
                content.add(record.path, record.line, _("县级单位必须填写 county"))
            else:
                check_county(record, "county", data["county"])
        elif data.get("county"):
            content.add(record.path, record.line_of("county"), _("市级单位不应填写 county"))
    unit_codes = {r.data["code"] for r in units}

    for name in ("bases", "parks", "projects", "mentors", "policies", "answers", "search-terms"):
        _check_unique(content, content.kinds[name], "slug")
    for name in ("bases", "parks", "projects"):
        for record in content.kinds[name]:
            check_county(record, "county", record.data["county"])
    park_slugs = {r.data["slug"] for r in content.kinds["parks"]}
    for record in content.kinds["projects"]:
        park = record.data.get("park")
        if park and park not in park_slugs:
            content.add(record.path, record.line_of("park"), _("未知的园区 “%(slug)s”", slug=park))
    for record in content.kinds["mentors"]:
        for county in record.data["counties"]:
            if county != CITYWIDE:
                check_county(record, "counties", county)
    for record in content.kinds["policies"]:
        for code in record.data["units"]:
            if code not in unit_codes:
                content.add(record.path, record.line_of("units"), _("未知的单位代码 “%(code)s”", code=code))
        effective, expires = record.data.get("effective"), record.data.get("expires")
        if effective and expires and expires < effective:
            content.add(record.path, record.line_of("expires"), _("失效日期早于生效日期"))
    policy_slugs = {r.data["slug"] for r in content.kinds["policies"]}
    for record in content.kinds["answers"]:
        policy = record.data.get("policy")
        if policy and policy not in policy_slugs:
            content.add(record.path, record.line_of("policy"), _("未知的政策指南 “%(slug)s”", slug=policy))


# ---------------------------------------------------------------- writing


class _Stats:
    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}

    def bump(self, kind: str, outcome: str) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1


def _upsert(model: type, key: str, key_value: str, values: dict, existing: dict) -> tuple[Any, str]:
    obj = existing.get(key_value)
    if obj is None:
        obj = model(**{key: key_value})
        entries.assign(obj, values)
        db.session.add(obj)
        existing[key_value] = obj
        return obj, "created"
    return obj, ("updated" if entries.assign(obj, values) else "unchanged")


def _unit_values(record: Record, county_by_key: dict) -> dict:
    d = dict(record.data)
    county = county_by_key.get(d.pop("county")) if d.get("county") else None
    d.pop("code")
    d["county_id"] = county.id if county else None
    d.pop("county", None)
    return d


def _portal_changed(content: Content) -> list[conflicts.Conflict]:
    """Units edited at /admin/units and rule sets published in the portal (routing) since the last load, whose
    files say something else: loading would silently undo the administrators' change."""
    found = []
    county_by_key = {c.code: c for c in db.session.scalars(sa.select(County))}
    county_by_key |= {c.name: c for c in county_by_key.values()}
    changed_units = {
        u.code: u for u in db.session.scalars(sa.select(Unit).where(Unit.changed_in_portal_at.is_not(None)))
    }
    for record in content.kinds.get("units", []):
        unit = changed_units.get(record.data["code"])
        if unit is None:
            continue
        values = _unit_values(record, county_by_key)
        if any(entries.differs(getattr(unit, k), v) for k, v in values.items() if hasattr(unit, k)):
            found.append(conflicts.Conflict("unit", unit.code, _("上次载入后在网站上修改过，文件也不同"), record.path))
    rule_files = {name: filename for filename, (name, _v) in _rule_files().items()}
    for rule_set in db.session.scalars(sa.select(RuleSet).where(RuleSet.changed_in_portal_at.is_not(None))):
        data = content.extras.get(rule_files.get(rule_set.name, ""))
        if data is not None and data != rule_set.data:
            found.append(
                conflicts.Conflict(
                    "rules", rule_set.name, _("上次载入后在网站上发布过修改，文件不同"), rule_files[rule_set.name]
                )
            )
    return found


def _existing(model: type, key: str) -> dict:
    return {getattr(o, key): o for o in db.session.scalars(sa.select(model))}


def apply_content(content: Content, prune: bool = False, prefer: str | None = None) -> dict[str, Counter]:
    """Write validated content. The caller commits (or rolls back) the session.

    Entries changed in the portal since their last load whose files differ are conflicts: with any, nothing is
    written (ContentConflicts) unless `prefer` says which side wins ("files" or "portal")."""
    found = conflicts.find(content, prune) + _portal_changed(content)
    if found and prefer not in ("files", "portal"):
        raise conflicts.ContentConflicts(found)
    keep = conflicts.keys(found) if prefer == "portal" else set()
    stats = _Stats()
    counties = _existing(County, "code")
    for r in content.kinds["counties"]:
        d = r.data
        values = {k: d[k] for k in ("name", "name_en", "kind", "sort")}
        stats.bump("counties", _upsert(County, "code", d["code"], values, counties)[1])
    db.session.flush()
    county_by_key = {c.code: c for c in counties.values()} | {c.name: c for c in counties.values()}

    units = _existing(Unit, "code")
    for r in content.kinds["units"]:
        if ("unit", r.data["code"]) in keep:
            continue  # edited at /admin/units since the last load, and the portal's side wins
        d = _unit_values(r, county_by_key)
        obj, outcome = _upsert(Unit, "code", r.data["code"], d, units)
        obj.changed_in_portal_at = None
        stats.bump("units", outcome)

    db.session.flush()
    _apply_entries(content, stats, keep)

    rule_sets = _existing(RuleSet, "name")
    for filename, (name, _validator) in _rule_files().items():
        data = content.extras.get(filename)
        if data is not None and ("rules", name) not in keep:
            values = {"data": data, "source": str(data.get("source", "")), "changed_in_portal_at": None}
            stats.bump("rules", _upsert(RuleSet, "name", name, values, rule_sets)[1])

    if prune:
        _prune(content, stats, keep=conflicts.portal_only(found) if prefer == "portal" else set())
    db.session.flush()
    return stats.counts


def _apply_entries(content: Content, stats: _Stats, keep: set[tuple[str, str]]) -> None:
    """Bases, parks, projects, mentors, guides: one `upsert_entry` each; a conflict's entry is left as the portal
    has it when the portal wins. A changed entry gets a new version; a loaded one remembers its file's hash."""
    lookups = entries.Lookups()
    for kind in entries.KINDS:
        for record in content.kinds[kind]:
            slug = record.data["slug"]
            if (kind, slug) in keep:
                stats.bump(kind, "kept")
                continue
            obj, outcome = entries.upsert_entry(kind, record.data, lookups)
            if outcome == "updated":
                obj.version = (obj.version or 1) + 1
            entries.assign(
                obj,
                {
                    "source_hash": entries.data_hash(entries.canonical(kind, record.data, lookups.counties)),
                    "changed_in_portal_at": None,
                    "visible": True,
                    "hidden_reason": None,
                },
            )
            stats.bump(kind, outcome)
        if kind == "parks":
            db.session.flush()


def _prune(content: Content, stats: _Stats, keep: set) -> None:
    """Delete published entries whose files no longer list them (only with --prune), but not those the portal
    created when the portal wins."""
    for kind, model in (
        ("projects", Project),
        ("parks", Park),
        ("bases", IncubationBase),
        ("mentors", Mentor),
        ("policies", Policy),
        ("answers", SearchAnswer),
        ("search-terms", SearchTerm),
    ):
        wanted = {r.data["slug"] for r in content.kinds[kind]}
        for obj in db.session.scalars(sa.select(model).where(model.slug.not_in(wanted) if wanted else sa.true())):
            if (kind, obj.slug) in keep:
                continue
            db.session.delete(obj)
            stats.bump(kind, "deleted")
