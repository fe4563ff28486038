"""One catalog entry (base, park, project, mentor, policy guide) as content: checked, compared, written, read back.

The same functions serve `content load` (many entries from files), the editorial area (one entry from a form)
and `content export` (entries back to files), so the three cannot disagree on a rule or a format:

- `check_entry(kind, raw)` checks one mapping with the field rules of `schema` (the messages `content load` gives);
- `canonical(kind, data)` is an entry's comparable, JSON-able form (dates as text, counties by name, sorted codes);
- `entry_data(kind, obj)` is the same form read from a database row, so `canonical(file) == entry_data(row)`
  exactly when loading the file would change nothing;
- `upsert_entry(kind, data, lookups)` writes one entry the way the loader always has.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.catalog.models import County, IncubationBase, Mentor, MentorExpertise, Park, Project
from portal.content import schema
from portal.db import utcnow
from portal.extensions import db
from portal.policies.models import Policy
from portal.search.models import SearchAnswer, SearchTerm

CITYWIDE = "全市"

# The entry kinds an editor may change, in the order they are loaded (a project names its park).
KINDS: dict[str, schema.Kind] = {
    "bases": schema.BASES,
    "parks": schema.PARKS,
    "projects": schema.PROJECTS,
    "mentors": schema.MENTORS,
    "policies": schema.POLICIES,
    "answers": schema.ANSWERS,
    "search-terms": schema.SEARCH_TERMS,
}
MODELS: dict[str, type] = {
    "bases": IncubationBase,
    "parks": Park,
    "projects": Project,
    "mentors": Mentor,
    "policies": Policy,
    "answers": SearchAnswer,
    "search-terms": SearchTerm,
}
# Content field -> model attribute, where they differ.
RENAMES = {"policies": {"title": "name", "summary": "description"}, "mentors": {"bio": "description"}}
FLOAT_PLACES = 6


def check_fields(spec: schema.Kind, raw: dict) -> tuple[dict, dict[str, tuple[str, bool]]]:
    """Check a mapping field by field with `schema.check_value`: (normalised data, field -> (message, at its key)).

    "At its key" says the problem is in the field's value; otherwise it is about the entry (a missing field)."""
    data: dict[str, Any] = {}
    errors: dict[str, tuple[str, bool]] = {}
    for f in spec.fields:
        value = raw.get(f.name)
        if value is None or value == "":
            if f.required:
                errors[f.name] = (_("缺少必填字段 %(field)s", field=f.name), False)
            data[f.name] = list(f.default) if isinstance(f.default, list) else f.default
            continue
        value, error = schema.check_value(f, value)
        if error:
            errors[f.name] = (error, True)
        data[f.name] = value
    if not errors and "source" in spec.field_map() and not data.get("sample") and not data.get("source"):
        errors["source"] = (_("非示例条目（sample: false）必须写明来源 source"), False)
    return data, errors


def check_entry(kind: str, raw: dict) -> tuple[dict, dict[str, str]]:
    """Check one entry from a form: (normalised data, field -> message), with the messages of `content load`."""
    data, problems = check_fields(KINDS[kind], raw)
    errors = {name: message for name, (message, _at_key) in problems.items()}
    if kind == "policies":
        body = (raw.get("body") or "").strip()
        if not body:
            errors["body"] = _("政策指南正文不能为空")
        data["body"] = body + "\n" if body else ""
        effective, expires = data.get("effective"), data.get("expires")
        if effective and expires and "expires" not in errors and expires < effective:
            errors["expires"] = _("失效日期早于生效日期")
    return data, errors


def check_references(kind: str, data: dict) -> dict[str, str]:
    """The cross-checks `content load` makes against the other files, made against the database."""
    from portal.catalog.models import Unit

    errors: dict[str, str] = {}
    counties = _county_lookup()
    if data.get("county") and data["county"] not in counties:
        errors["county"] = _("未知的县区 “%(county)s”：请使用 counties.yaml 中的名称或代码", county=data["county"])
    for county in data.get("counties") or []:
        if kind == "mentors" and county != CITYWIDE and county not in counties:
            errors["counties"] = _("未知的县区 “%(county)s”：请使用 counties.yaml 中的名称或代码", county=county)
    park = data.get("park") if kind == "projects" else None
    if park and db.session.scalar(sa.select(Park.id).where(Park.slug == park)) is None:
        errors["park"] = _("未知的园区 “%(slug)s”", slug=data["park"])
    if kind == "policies" and data.get("units"):
        known = set(db.session.scalars(sa.select(Unit.code).where(Unit.code.in_(data["units"]))))
        for code in data["units"]:
            if code not in known:
                errors["units"] = _("未知的单位代码 “%(code)s”", code=code)
                break
    policy = data.get("policy") if kind == "answers" else None
    if policy and db.session.scalar(sa.select(Policy.id).where(Policy.slug == policy)) is None:
        errors["policy"] = _("未知的政策指南 “%(slug)s”", slug=policy)
    return errors


# ---------------------------------------------------------------- comparable form


def _county_lookup() -> dict[str, County]:
    rows = db.session.scalars(sa.select(County))
    return {key: c for c in rows for key in (c.code, c.name)}


def _jsonable(f: schema.Field, value: Any) -> Any:
    if value is None or value == "":
        return [] if f.kind in {"list", "enumlist", "intlist", "counties"} else None
    if isinstance(value, date):
        return value.isoformat()
    if f.kind == "float":
        return round(float(value), FLOAT_PLACES)
    if isinstance(value, Decimal):
        return float(value)
    if f.kind == "enumlist":
        return sorted(set(value))
    if isinstance(value, list):
        return list(value)
    return value


def canonical(kind: str, data: dict, counties: dict[str, County] | None = None) -> dict:
    """The entry as JSON-able, comparable data: every field, counties by name in the catalog's order."""
    counties = counties if counties is not None else _county_lookup()
    result = {}
    for f in KINDS[kind].fields:
        value = _jsonable(f, data.get(f.name))
        if f.kind == "county" and value in counties:
            value = counties[value].name
        elif f.kind == "counties":
            named = [counties[c] for c in value if c != CITYWIDE and c in counties]
            unknown = [c for c in value if c != CITYWIDE and c not in counties]
            ordered = sorted({c.code: c for c in named}.values(), key=lambda c: (c.sort, c.code))
            value = ([CITYWIDE] if CITYWIDE in value else []) + [c.name for c in ordered] + unknown
        result[f.name] = value
    if kind == "policies":
        body = (data.get("body") or "").strip()
        result["body"] = body + "\n" if body else ""
    return result


def entry_data(kind: str, obj) -> dict:
    """A database row in the same comparable form as `canonical` gives for its file."""
    renames = RENAMES.get(kind, {})
    raw: dict[str, Any] = {}
    for f in KINDS[kind].fields:
        if f.kind == "county":
            raw[f.name] = obj.county.name if obj.county else None
        elif kind == "projects" and f.name == "park":
            raw[f.name] = obj.park.slug if obj.park else None
        elif kind == "mentors" and f.name == "counties":
            raw[f.name] = ([CITYWIDE] if obj.citywide else []) + [c.name for c in obj.counties]
        else:
            raw[f.name] = getattr(obj, renames.get(f.name, f.name))
    if kind == "policies":
        raw["body"] = obj.body
    return canonical(kind, raw)


def data_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def find(kind: str, key: str):
    model = MODELS[kind]
    return db.session.scalar(sa.select(model).where(model.slug == key))


# ---------------------------------------------------------------- writing


@dataclass
class Lookups:
    """What writing entries needs to resolve: counties by name or code, parks and existing rows by slug."""

    counties: dict[str, County] = field(default_factory=_county_lookup)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def existing(self, kind: str) -> dict[str, Any]:
        if kind not in self.rows:
            model = MODELS[kind]
            self.rows[kind] = {o.slug: o for o in db.session.scalars(sa.select(model))}
        return self.rows[kind]


def _normalise(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, float) else value


def differs(current: Any, value: Any) -> bool:
    """Whether a stored value and a loaded one differ (1.5 and Decimal("1.50") do not)."""
    value = _normalise(value)
    if isinstance(current, Decimal) and isinstance(value, Decimal):
        return current.compare(value) != 0
    return current != value


def assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only attributes that differ, so loading the same files twice writes nothing."""
    changed = False
    for key, value in values.items():
        if differs(getattr(obj, key), value):
            setattr(obj, key, _normalise(value))
            changed = True
    return changed


def _values(kind: str, data: dict, lookups: Lookups) -> dict[str, Any]:
    spec = KINDS[kind]
    renames = RENAMES.get(kind, {})
    values: dict[str, Any] = {}
    for f in spec.fields:
        if f.name == "slug" or (kind == "mentors" and f.name in ("counties", "expertise")):
            continue
        value = data.get(f.name)
        if f.kind == "date" and isinstance(value, str):
            value = date.fromisoformat(value)
        if f.kind == "county":
            values["county_id"] = lookups.counties[value].id
        elif kind == "projects" and f.name == "park":
            values["park_id"] = lookups.existing("parks")[value].id if value else None
        else:
            values[renames.get(f.name, f.name)] = value
    if kind == "mentors":
        values["citywide"] = CITYWIDE in data["counties"]
    if kind == "policies":
        values["body"] = data["body"]
    return values


def upsert_entry(kind: str, data: dict, lookups: Lookups) -> tuple[Any, str]:
    """Create or update one entry from checked data: (row, "created" | "updated" | "unchanged")."""
    model = MODELS[kind]
    existing = lookups.existing(kind)
    obj = existing.get(data["slug"])
    values = _values(kind, data, lookups)
    if obj is None:
        obj = model(slug=data["slug"])
        assign(obj, values)
        db.session.add(obj)
        existing[data["slug"]] = obj
        outcome = "created"
    else:
        outcome = "updated" if assign(obj, values) else "unchanged"
    if kind == "mentors":
        wanted = [lookups.counties[c] for c in data["counties"] if c != CITYWIDE]
        if {c.code for c in obj.counties} != {c.code for c in wanted}:
            obj.counties = wanted
            outcome = "updated" if outcome == "unchanged" else outcome
        if obj.expertise != sorted(set(data["expertise"])):
            obj.expertise_rows = [MentorExpertise(code=code) for code in sorted(set(data["expertise"]))]
            outcome = "updated" if outcome == "unchanged" else outcome
        if outcome == "updated":
            obj.updated_at = utcnow()  # the row changes too, so the search index picks the mentor up
    return obj, outcome
