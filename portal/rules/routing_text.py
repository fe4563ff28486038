"""The routing rules as text: what is in force, a proposed version parsed and validated exactly as
`flask content load` validates content/routing.yaml (routing.rules.validate), a digest for the optimistic check,
and the readable diff between two versions."""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path

import yaml
from flask import current_app
from flask_babel import gettext as _

from portal.catalog.vocab import DEPTS
from portal.content.models import get_rules
from portal.routing.rules import validate

MAX_CHARS = 20_000  # routing.yaml is about 4,000 characters; core.guard refuses longer form values anyway


def in_force() -> dict:
    return get_rules("routing")


def digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def current_text() -> str:
    """The rules in force as YAML: the last published change's own text, else content/routing.yaml when it is
    what was loaded (with its comments), else the loaded rules written out."""
    from portal.rules.queries import last_published  # queries reads the changes; this module only the text

    data = in_force()
    last = last_published()
    if last is not None and last.data == data:
        return last.text
    path = Path(current_app.config["CONTENT_DIR"]) / "routing.yaml"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        parsed, problems = parse(text)
        if not problems and parsed == data:
            return text
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def _has_alias(text: str) -> bool:
    return any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=yaml.SafeLoader))


def parse(text: str) -> tuple[dict | None, list[str]]:
    """(rules, problems): YAML read safely (no anchors/aliases, bounded size), plain JSON values, validated."""
    if not text or not text.strip():
        return None, [_("请填写规则。")]
    if len(text) > MAX_CHARS:
        return None, [_("规则文本太长（最多 %(n)s 个字符）。", n=MAX_CHARS)]
    try:
        if _has_alias(text):
            return None, [_("请不要使用 YAML 的锚点和别名（& 和 *），把内容写完整。")]
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, [
            _("第 %(line)s 行 YAML 格式错误：%(detail)s", line=line, detail=getattr(exc, "problem", "") or "")
        ]
    # dates and other YAML types become strings, as they would in the JSON column
    data = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    problems = validate(data, set(DEPTS))
    return (None, problems) if problems else (data, [])


def diff_table(before: str, after: str) -> str:
    """A side-by-side HTML table of the changed lines (with context), no JavaScript."""
    differ = difflib.HtmlDiff(tabsize=2, wrapcolumn=60)
    return differ.make_table(
        before.splitlines(), after.splitlines(), _("修改前"), _("修改后"), context=True, numlines=2
    )
