"""What each content file may contain: fields, types and allowed values, checked before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from portal.catalog import vocab

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
UNIT_CODE_RE = re.compile(r"^(city|\d{6}|zone-[a-z]+)-[a-z]+$")
COUNTY_CODE_RE = re.compile(r"^(\d{6}|zone-[a-z]+)$")


@dataclass
class Field:
    name: str
    kind: str = "str"  # str, text, int, bool, date, float, list, enum, enumlist, county, counties, slug
    required: bool = False
    choices: tuple | None = None
    min: float | None = None
    max: float | None = None
    max_len: int | None = None
    default: Any = None


@dataclass
class Kind:
    name: str
    fields: list[Field]
    key: str = "slug"
    extra: dict = field(default_factory=dict)

    def field_map(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}


def _common() -> list[Field]:
    return [
        Field("slug", "slug", required=True),
        Field("name", "str", required=True, max_len=200),
        Field("tags", "list", default=[]),
        Field("sample", "bool", default=False),
        Field("source", "text"),
    ]


LEVELS = tuple(vocab.LEVELS)
INDUSTRIES = tuple(vocab.INDUSTRIES)

COUNTIES = Kind(
    "counties",
    key="code",
    fields=[
        Field("code", "str", required=True, max_len=32),
        Field("name", "str", required=True, max_len=64),
        Field("name_en", "str", required=True, max_len=128),
        Field("kind", "enum", required=True, choices=tuple(vocab.COUNTY_KINDS)),
        Field("sort", "int", required=True, min=0),
    ],
)

UNITS = Kind(
    "units",
    key="code",
    fields=[
        Field("code", "str", required=True, max_len=48),
        Field("name", "str", required=True, max_len=128),
        Field("short_name", "str", required=True, max_len=64),
        Field("name_en", "str", required=True, max_len=200),
        Field("level", "enum", required=True, choices=tuple(vocab.UNIT_LEVELS)),
        Field("dept", "enum", required=True, choices=tuple(vocab.DEPTS)),
        Field("county", "county"),
        Field("duties", "intlist", default=[], min=1, max=14),
        Field("address", "str", max_len=255),
        Field("phone", "str", max_len=64),
        Field("hours", "str", max_len=128),
        Field("sample", "bool", default=False),
        Field("source", "text"),
    ],
)

BASES = Kind(
    "bases",
    fields=[
        *_common(),
        Field("type", "enum", required=True, choices=tuple(vocab.BASE_TYPES)),
        Field("level", "enum", required=True, choices=LEVELS),
        Field("county", "county", required=True),
        Field("address", "str", required=True, max_len=255),
        Field("operator", "str", required=True, max_len=200),
        Field("services", "list", required=True),
        Field("capacity", "int", min=0, max=100000),
        Field("contact", "str", max_len=200),
        Field("phone", "str", max_len=64),
        Field("lat", "float", min=32.0, max=34.0),
        Field("lng", "float", min=110.5, max=113.8),
        Field("year", "int", min=1990, max=2100),
        Field("description", "text", required=True),
    ],
)

PARKS = Kind(
    "parks",
    fields=[
        *_common(),
        Field("county", "county", required=True),
        Field("industry", "enum", required=True, choices=INDUSTRIES),
        Field("level", "enum", required=True, choices=LEVELS),
        Field("year", "int", required=True, min=1990, max=2100),
        Field("address", "str", required=True, max_len=255),
        Field("area_mu", "int", min=0),
        Field("enterprises", "int", min=0),
        Field("jobs", "int", min=0),
        Field("description", "text", required=True),
    ],
)

PROJECTS = Kind(
    "projects",
    fields=[
        *_common(),
        Field("county", "county", required=True),
        Field("industry", "enum", required=True, choices=INDUSTRIES),
        Field("level", "enum", required=True, choices=LEVELS),
        Field("year", "int", required=True, min=1990, max=2100),
        Field("company", "str", required=True, max_len=200),
        Field("park", "slug"),
        Field("investment_wan", "float", min=0),
        Field("jobs", "int", min=0),
        Field("description", "text", required=True),
    ],
)

MENTORS = Kind(
    "mentors",
    fields=[
        *_common(),
        Field("title", "str", required=True, max_len=200),
        Field("organisation", "str", max_len=200),
        Field("expertise", "enumlist", required=True, choices=tuple(vocab.EXPERTISE)),
        Field("counties", "counties", required=True),
        Field("bio", "text", required=True),
        Field("accepts_visits", "bool", required=True),
    ],
)

POLICIES = Kind(
    "policies",
    fields=[
        Field("slug", "slug", required=True),
        Field("title", "str", required=True, max_len=200),
        Field("issuer", "str", required=True, max_len=200),
        Field("doc_number", "str", max_len=100),
        Field("issued", "date", required=True),
        Field("effective", "date"),
        Field("expires", "date"),
        Field("category", "enum", required=True, choices=tuple(vocab.POLICY_CATEGORIES)),
        Field("summary", "text", required=True),
        Field("eligibility", "list", required=True),
        Field("benefits", "list", required=True),
        Field("how_to_apply", "list", required=True),
        Field("application_type", "enum", choices=tuple(vocab.APPLICATION_TYPES)),
        Field("units", "list", default=[]),
        Field("tags", "list", default=[]),
        Field("sample", "bool", default=False),
        Field("source", "text"),
    ],
)

ANSWERS = Kind(
    "answers",
    fields=[
        *_common(),
        Field("service", "enum", required=True, choices=tuple(vocab.ANSWER_SERVICES)),
        Field("description", "text", required=True, max_len=200),
        Field("who", "str", required=True, max_len=200),
        Field("figure", "str", max_len=100),
        Field("policy", "str", max_len=80),
        Field("triggers", "list", required=True, max_len=40),
        Field("priority", "int", default=0, min=0, max=100),
    ],
)

SEARCH_TERMS = Kind(
    "search-terms",
    fields=[
        *_common(),
        Field("role", "enum", required=True, choices=tuple(vocab.SEARCH_TERM_ROLES)),
        Field("words", "list", required=True, max_len=40),
        Field("prefers", "enum", choices=tuple(vocab.SEARCH_KINDS)),
        Field("description", "text", default=""),
    ],
)


def check_value(f: Field, value: Any) -> tuple[Any, str | None]:
    """Return the normalised value, or an error message for this field."""
    kind = f.kind
    if kind in {"str", "text", "county", "slug"}:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None, _("字段 %(field)s 应为文字", field=f.name)
        value = str(value).strip()
        if f.required and not value:
            return None, _("字段 %(field)s 不能为空", field=f.name)
        if kind == "str" and "\n" in value:
            return None, _("字段 %(field)s 应为单行文字", field=f.name)
        if f.max_len and len(value) > f.max_len:
            return None, _("字段 %(field)s 超过 %(n)s 个字符", field=f.name, n=f.max_len)
        if kind == "slug" and not SLUG_RE.match(value):
            return None, _(
                "%(field)s “%(value)s” 不合规：只能用小写字母、数字和连字符，3–80 个字符", field=f.name, value=value
            )
        return value, None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return None, _("字段 %(field)s 应为整数", field=f.name)
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, _("字段 %(field)s 应为数字", field=f.name)
        value = float(value)
    elif kind == "bool":
        if not isinstance(value, bool):
            return None, _("字段 %(field)s 应为 true 或 false", field=f.name)
        return value, None
    elif kind == "date":
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return None, _("字段 %(field)s 应为日期 YYYY-MM-DD", field=f.name)
        if not isinstance(value, date):
            return None, _("字段 %(field)s 应为日期 YYYY-MM-DD", field=f.name)
        return value, None
    elif kind == "enum":
        if value not in (f.choices or ()):
            return None, _(
                "字段 %(field)s 的值 “%(value)s” 不在允许范围内（%(choices)s）",
                field=f.name,
                value=value,
                choices=", ".join(f.choices or ()),
            )
        return value, None
    elif kind in {"list", "enumlist", "intlist", "counties"}:
        if not isinstance(value, list) or (f.required and not value):
            return None, _("字段 %(field)s 应为非空列表", field=f.name)
        items = []
        for item in value:
            if kind == "intlist":
                if isinstance(item, bool) or not isinstance(item, int):
                    return None, _("字段 %(field)s 只能包含整数", field=f.name)
                if (f.min is not None and item < f.min) or (f.max is not None and item > f.max):
                    return None, _("字段 %(field)s 的值 %(value)s 超出范围", field=f.name, value=item)
                items.append(item)
                continue
            if isinstance(item, dict | list) or item is None or str(item).strip() == "":
                return None, _("字段 %(field)s 只能包含非空文字", field=f.name)
            item = str(item).strip()
            if f.max_len and len(item) > f.max_len:
                return None, _("字段 %(field)s 的每一项不能超过 %(n)s 个字符", field=f.name, n=f.max_len)
            if kind == "enumlist" and item not in (f.choices or ()):
                return None, _(
                    "字段 %(field)s 的值 “%(value)s” 不在允许范围内（%(choices)s）",
                    field=f.name,
                    value=item,
                    choices=", ".join(f.choices or ()),
                )
            items.append(item)
        return items, None
    if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
        return None, _(
            "字段 %(field)s 的值 %(value)s 超出范围（%(min)s–%(max)s）", field=f.name, value=value, min=f.min, max=f.max
        )
    return value, None
