"""The Chinese analyzer: NFKC-normalised text cut by jieba, with a domain dictionary, for Whoosh."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
from whoosh.analysis import Token, Tokenizer

USER_DICT = Path(__file__).with_name("userdict.txt")
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "为",
        "对",
        "把",
        "被",
        "等",
        "之",
        "其",
        "也",
        "就",
        "都",
        "而",
        "并",
        "从",
        "以",
        "于",
        "个",
        "这",
        "那",
        "有",
        "我",
        "您",
        "你",
        "请",
    ]
)
# U+FFFD too: what the request guard made of a control character in a query (core/guard.py)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff\ufffd]")
_ready = threading.Lock()
_loaded = False


def ensure_dictionary() -> None:
    """Load jieba's dictionary and ours once per process (jieba keeps both in module state)."""
    global _loaded
    if _loaded:
        return
    with _ready:
        if not _loaded:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            with USER_DICT.open("rb") as handle:  # jieba leaves a path it opened itself unclosed
                jieba.load_userdict(handle)
            _loaded = True


def dictionary_words() -> set[str]:
    return {line.split()[0] for line in USER_DICT.read_text(encoding="utf-8").splitlines() if line.strip()}


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), no control characters, single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


# Full-width ASCII (Ａ１，！) to ASCII and the ideographic space to a space, control characters to spaces: every
# mapping is one character to one, so token offsets still match the stored text. (Full NFKC, which can change the
# length, is applied to queries only.)
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FOLD |= {
    code: 0x20
    for code in [
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        *range(0x200B, 0x2010),
        *range(0x2028, 0x202F),
        0xFEFF,
    ]
}


def fold(text: str) -> str:
    """Fold full-width forms and drop control characters, one character for one."""
    return (text or "").translate(_FOLD)


def _wordlike(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


@lru_cache(maxsize=200_000)
def _subwords(word: str) -> tuple[tuple[str, int], ...]:
    """The dictionary words inside a word, as jieba's search mode finds them: (piece, offset).

    Unlike search mode, every length is tried, so 担保贷款 is found inside 创业担保贷款.
    """
    pieces = []
    for size in range(2, min(len(word), 8)):
        for i in range(len(word) - size + 1):
            gram = word[i : i + size]
            if jieba.get_FREQ(gram):
                pieces.append((gram, i))
    return tuple(pieces)


def cut(text: str) -> list[str]:
    """The words of a text (precise mode), without punctuation and stop words: used to build queries."""
    ensure_dictionary()
    words = [w.strip().lower() for w in jieba.cut(normalize(text))]
    kept = [w for w in words if w and _wordlike(w) and w not in STOP_WORDS]
    return kept or [w for w in words if w and _wordlike(w)]


class ChineseTokenizer(Tokenizer):
    """Each word at its own position, with the dictionary words inside it at the same position.

    So "创业担保贷款" is found by 担保 and by 贷款, while a phrase of separate words keeps its order.
    """

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        ensure_dictionary()
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = fold(value)
        pos = start_pos
        for word, start, _end in jieba.tokenize(text):
            stripped = word.strip()
            if not stripped or not _wordlike(stripped):
                continue
            lowered = stripped.lower()
            stop = lowered in STOP_WORDS
            if stop and removestops:
                continue
            for piece, offset in [(lowered, 0), *_subwords(lowered)]:
                token.text = piece
                token.stopped = stop
                token.boost = 1.0
                if keeporiginal:
                    token.original = piece
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + start + offset
                    token.endchar = token.startchar + len(piece)
                yield token
            pos += 1


def ChineseAnalyzer() -> ChineseTokenizer:
    return ChineseTokenizer()
