"""YAML and front-matter reading that remembers line numbers, so editors are told where a problem is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


class LineDict(dict):
    """A mapping read from YAML, with the line of the mapping and of each key."""

    line: int = 0
    key_lines: dict
    duplicate_keys: list


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.duplicate_keys = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            result.duplicate_keys.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentSyntaxError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _syntax_problem(path: Path, exc: yaml.YAMLError, line_offset: int = 0) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = (mark.line + 1 if mark else 1) + line_offset
    detail = getattr(exc, "problem", None) or str(exc)
    return Problem(str(path), line, f"YAML 格式错误：{detail}")


def load_yaml(path: Path, text: str | None = None, line_offset: int = 0):
    if text is None:
        text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader derives from SafeLoader
    except yaml.YAMLError as exc:
        raise ContentSyntaxError(_syntax_problem(path, exc, line_offset)) from exc


def load_front_matter(path: Path) -> tuple[LineDict, str, int]:
    """Split a Markdown file into (front matter, body, line where the body starts)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentSyntaxError(Problem(str(path), 1, "缺少文件开头的 front matter（以 --- 开始的 YAML 段）"))
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            meta = load_yaml(path, "".join(lines[1:index]), line_offset=1)
            if not isinstance(meta, LineDict):
                raise ContentSyntaxError(Problem(str(path), 2, "front matter 必须是键值对"))
            # line numbers inside the front matter start after the opening ---
            meta.line += 1
            meta.key_lines = {k: v + 1 for k, v in meta.key_lines.items()}
            meta.duplicate_keys = [(k, v + 1) for k, v in meta.duplicate_keys]
            return meta, "".join(lines[index + 1 :]), index + 2
    raise ContentSyntaxError(Problem(str(path), 1, "front matter 没有以 --- 结束"))
