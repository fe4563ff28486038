"""`flask content export DIR`: the published database written back as content files, in the format of content/.

Loading an export into an empty database gives the same public pages (tested). What is exported: counties,
units, the published bases, parks, projects, mentors and policy guides (an unpublished entry is not public, so it
is not exported), and every rule set as the database stores it (routing, holidays, loan rules, checklists,
targets, work items) — their comments in content/ are not kept, their data is.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
import yaml

from portal.catalog.models import County, Unit
from portal.content import entries, schema
from portal.content.models import RuleSet
from portal.extensions import db

FILES = {
    "bases": "bases.yaml",
    "parks": "parks.yaml",
    "projects": "projects.yaml",
    "mentors": "mentors.yaml",
    "answers": "answers.yaml",
    "search-terms": "search-terms.yaml",
}


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(value) -> str:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def file_form(kind: str, data: dict) -> dict:
    """Entry data as a file holds it: dates as dates, empty optional fields left out."""
    result = {}
    for f in entries.KINDS[kind].fields:
        value = data.get(f.name)
        if value is None or (value == [] and not f.required):
            continue
        if f.kind == "date":
            value = date.fromisoformat(value)
        result[f.name] = value
    return result


def _counties() -> list[dict]:
    rows = db.session.scalars(sa.select(County).order_by(County.sort, County.code))
    return [{"code": c.code, "name": c.name, "name_en": c.name_en, "kind": c.kind, "sort": c.sort} for c in rows]


def _units() -> list[dict]:
    result = []
    for unit in db.session.scalars(sa.select(Unit).order_by(Unit.code)):
        row = {}
        for f in schema.UNITS.fields:
            value = unit.county.name if f.name == "county" and unit.county else getattr(unit, f.name, None)
            if value not in (None, "", []) or f.name == "sample":
                row[f.name] = value
        result.append(row)
    return result


def _published(kind: str) -> list[dict]:
    model = entries.MODELS[kind]
    rows = db.session.scalars(sa.select(model).where(model.visible.is_(True)).order_by(model.slug))
    return [entries.entry_data(kind, obj) for obj in rows]


def export(directory: str | Path) -> dict[str, int]:
    """Write every file; return how many entries each kind has."""
    from portal.content.loader import _rule_files

    directory = Path(directory)
    (directory / "policies").mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in (("counties", _counties()), ("units", _units())):
        (directory / f"{name}.yaml").write_text(_dump(rows), encoding="utf-8")
        counts[name] = len(rows)
    for kind, filename in FILES.items():
        rows = [file_form(kind, data) for data in _published(kind)]
        (directory / filename).write_text(_dump(rows), encoding="utf-8")
        counts[kind] = len(rows)
    policies = _published("policies")
    for data in policies:
        meta = _dump(file_form("policies", data))
        text = f"---\n{meta}---\n\n{data['body']}"
        (directory / "policies" / f"{data['slug']}.md").write_text(text, encoding="utf-8")
    counts["policies"] = len(policies)
    stored = {row.name: row.data for row in db.session.scalars(sa.select(RuleSet))}
    for filename, (name, _validator) in _rule_files().items():
        if name in stored:
            (directory / filename).write_text(_dump(stored[name]), encoding="utf-8")
            counts[filename] = 1
    return counts
