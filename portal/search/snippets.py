"""Snippets people can read: one or two whole sentences of a document's text, the ones that match best.

The index keeps, beside the searchable field, the document's readable text (`text`: its description and body as
sentences, without Markdown, field labels or lists glued together). For each hit the sentences are scored by how
many of the query's groups they contain; the best one (and a second when the first is short and the second adds
a word) is shown in document order, the matched words in <mark>, trimmed at clause boundaries to fit a 360-px
screen in about three lines. A sentence that only repeats the title is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

MAX_CHARS = 80  # one snippet, both sentences together: about three lines at 360 px
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n")
_CLAUSE_END = re.compile(r"(?<=[，、：,:])")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|`|~~)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+>]|\d+[.、)）])\s*")
_SPACES = re.compile(r"\s+")


def readable_text(*parts: str | Iterable[str]) -> str:
    """The document's sentences, one per line: plain text, Markdown and lists of phrases alike."""
    lines: list[str] = []
    for part in parts:
        items = [part] if isinstance(part, str) else list(part)
        for item in items:
            for raw in (item or "").splitlines():
                line = raw.strip()
                if not line or line.startswith(("#", "|", "---")):
                    continue  # headings, tables and rules are not sentences
                line = _LIST_MARK.sub("", _MD_MARKS.sub("", _MD_LINK.sub(r"\1", line)))
                line = _SPACES.sub(" ", line).strip()
                if line and line[-1] not in "。！？!?；;：:":
                    line += "。"
                if line:
                    lines.append(line)
    return "\n".join(lines)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and len(s.strip()) >= 4]


def _pattern(terms: Iterable[str]) -> re.Pattern | None:
    words = sorted({t for t in terms if t}, key=lambda t: (-len(t), t))
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None


def _trim(sentence: str, first_match: int, limit: int) -> str:
    """The clauses around the first match, at most `limit` characters, marked with … where cut."""
    if len(sentence) <= limit:
        return sentence
    clauses = [c for c in _CLAUSE_END.split(sentence) if c]
    starts, pos = [], 0
    for clause in clauses:
        starts.append(pos)
        pos += len(clause)
    i = max(k for k, start in enumerate(starts) if start <= max(first_match, 0))
    lo, hi = i, i + 1
    while True:
        grown = False
        if hi < len(clauses) and starts[hi] + len(clauses[hi]) - starts[lo] <= limit:
            hi += 1
            grown = True
        if lo > 0 and starts[hi - 1] + len(clauses[hi - 1]) - starts[lo - 1] <= limit:
            lo -= 1
            grown = True
        if not grown:
            break
    piece = "".join(clauses[lo:hi])
    if len(piece) > limit:  # one clause longer than the limit: cut around the match
        offset = max(0, min(first_match - starts[lo] - limit // 3, len(piece) - limit))
        piece = piece[offset : offset + limit]
        return ("…" if offset or lo else "") + piece + "…"
    return ("…" if lo else "") + piece + ("…" if hi < len(clauses) else "")


def _highlight(text: str, pattern: re.Pattern | None) -> Markup:
    """Escape, and mark the matched words; neighbouring matches (返乡创业) become one mark."""
    if pattern is None:
        return escape(text)
    spans: list[list[int]] = []
    for m in pattern.finditer(text):
        if spans and spans[-1][1] == m.start():
            spans[-1][1] = m.end()
        else:
            spans.append([m.start(), m.end()])
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>%s</mark>") % text[start:end])
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str, title: str, groups: list[tuple[str, ...]], limit: int = MAX_CHARS) -> Markup:
    """The best one or two sentences of `text` for the query's groups (each a tuple of words), highlighted."""
    all_terms = [w for words in groups for w in words]
    pattern = _pattern(all_terms)
    title_key = (title or "").strip("。 ").lower()
    candidates = []
    for position, sentence in enumerate(sentences(text)):
        if sentence.strip("。 ").lower() == title_key:
            continue
        lowered = sentence.lower()
        found = {i for i, words in enumerate(groups) if any(w.lower() in lowered for w in words)}
        hits = len(pattern.findall(sentence)) if pattern and found else 0
        candidates.append((len(found), hits, -position, position, sentence, found))
    if not candidates:
        return Markup("")
    matching = [c for c in candidates if c[0]]
    if not matching:
        first = candidates[0][4]
        return _highlight(_trim(first, 0, limit), None)
    best = max(matching)
    chosen = [best]
    if len(best[4]) < limit // 2:
        extra = [c for c in matching if c is not best and c[5] - best[5]]
        extra = extra or [c for c in matching if c is not best]
        if extra:
            second = max(extra)
            if len(best[4]) + len(second[4]) <= limit:
                chosen.append(second)
    chosen.sort(key=lambda c: c[3])
    room = limit // len(chosen) if len(chosen) > 1 else limit
    parts = []
    for c in chosen:
        m = pattern.search(c[4]) if pattern else None
        parts.append(_trim(c[4], m.start() if m else 0, max(room, len(c[4])) if len(chosen) > 1 else room))
    return _highlight("".join(parts), pattern)
