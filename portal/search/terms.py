"""Everyday words: what a query means, read with the synonym table and the question words of `content/`.

People type questions ("回乡开店能贷多少钱"), not index terms. Before the index is asked, a query is read like this:

1. Everyday phrases of two characters or more (回老家, 开网店, 利息谁出) and question phrases (能不能, 多少钱) are
   found in the text, longest first from left to right — so jieba cannot cut them apart. A phrase stands for its
   synonym group; a question phrase is dropped.
2. What is left is cut by jieba as before. A word that is a question word (吗, 呢, 想) is dropped; a word that
   names a group or is one of its words (贷 → 贷款) stands for the group.
3. Each group is searched as "any of its words": 返乡 finds 回乡 and 返乡, 老师 finds 导师. Every group must match
   (then, as before, the closest results when none has them all).

The table lives in the database (`search_term`, loaded from `content/search-terms.yaml`, edited in the back office)
and is read again when it changes, so a change takes effect at the next query without reindexing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from portal.extensions import db
from portal.search.analyzer import cut, normalize
from portal.search.models import ContentCache, SearchTerm

MAX_GROUPS = 12  # a query of more words than this is cut: every group costs a posting-list intersection
RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Group:
    """One thing the query asks for: its canonical word and every word that finds the same."""

    head: str
    words: tuple[str, ...]  # head first, then the everyday words (as the index may hold them too)
    typed: str  # what the user typed for it
    prefers: str | None = None  # a kind of page the words ask for (导师 → mentor)


@dataclass
class Vocabulary:
    version: tuple = ()
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # head -> (head, *words)
    prefers: dict[str, str] = field(default_factory=dict)  # head -> kind
    member_of: dict[str, str] = field(default_factory=dict)  # any word of a group -> head
    fillers: frozenset[str] = frozenset()
    # words of two characters or more, by their first character, longest first: found before cutting
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, rows, version: tuple = ()) -> Vocabulary:
        vocab = cls(version=version)
        fillers: set[str] = set()
        for role, head, words, *rest in rows:
            head = normalize(head).lower()
            words = [normalize(w).lower() for w in words if normalize(w)]
            if role == "filler":
                fillers.update(words)
                continue
            if not head:
                continue
            members = tuple(dict.fromkeys([head, *vocab.groups.get(head, ())[1:], *words]))
            vocab.groups[head] = members
            if rest and rest[0]:
                vocab.prefers[head] = rest[0]
            for word in members:
                vocab.member_of.setdefault(word, head)
        vocab.fillers = frozenset(fillers - set(vocab.member_of))
        scanned = {w for w in vocab.member_of if len(w) >= 2 and w not in vocab.groups} | {
            w for w in vocab.fillers if len(w) >= 2
        }
        for phrase in sorted(scanned, key=lambda w: (-len(w), w)):
            vocab.phrases[phrase[0]] = (*vocab.phrases.get(phrase[0], ()), phrase)
        return vocab

    def _unwrapped(self, word: str) -> str:
        """A word jieba glued to a question word (能贷 → 贷): the member inside, or the word itself."""
        inner = word
        while len(inner) > 1 and inner[0] in self.fillers:
            inner = inner[1:]
        while len(inner) > 1 and inner[-1] in self.fillers:
            inner = inner[:-1]
        return inner if inner in self.member_of else word

    def read(self, text: str) -> list[Group]:
        """The groups a query asks for, in the order typed (see the module's docstring)."""
        text = normalize(text).lower()
        groups: list[Group] = []
        seen: set[str] = set()

        def add(head: str, typed: str) -> None:
            if head not in seen:
                seen.add(head)
                groups.append(Group(head, self.groups.get(head, (head,)), typed, self.prefers.get(head)))

        def add_words(segment: str) -> None:
            for word in cut(segment) if segment.strip() else []:
                if word in self.fillers:
                    continue
                add(self.member_of.get(word) or self.member_of.get(self._unwrapped(word), word), word)

        rest_start = 0
        i = 0
        while i < len(text):
            match = next((p for p in self.phrases.get(text[i], ()) if text.startswith(p, i)), None)
            if match is None:
                i += 1
                continue
            add_words(text[rest_start:i])
            if match in self.member_of:
                add(self.member_of[match], match)
            i += len(match)
            rest_start = i
        add_words(text[rest_start:])
        if not groups and text:
            # Only question words ("怎么办"): nothing to look for; keep the words so the page can say so.
            return []
        return groups[:MAX_GROUPS]


def _read(version: tuple) -> Vocabulary:
    rows = db.session.execute(
        sa.select(SearchTerm.role, SearchTerm.name, SearchTerm.words, SearchTerm.prefers).where(
            SearchTerm.visible.is_(True)
        )
    ).all()
    return Vocabulary.build(rows, version)


_TABLE = ContentCache(SearchTerm, _read, RECHECK_SECONDS)


def vocabulary() -> Vocabulary:
    """The table as the database has it now: re-read when it changed, checked at most once a second."""
    return _TABLE.get()


def forget() -> None:
    """Read the table again at the next query (tests, and after `content load` in this process)."""
    _TABLE.forget()
