"""Diacritic folding with a map back to the original offsets, for keyword search.

Vietnamese arrives precomposed (NFC), decomposed (NFD) or with diacritics dropped; a
keyword must match all three and the finding must still point at the text as written.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from app.engine.findings import Span

_SPECIAL = {"đ": "d", "Đ": "d"}


@dataclass(frozen=True, slots=True)
class Folded:
    text: str  # lower case, no diacritics
    # origin[i] = offset in the original of text[i]; None when they are the same offsets
    # (no combining marks were dropped), which is the common, precomposed case.
    origin: tuple[int, ...] | None
    source_length: int

    def offset(self, index: int) -> int:
        return index if self.origin is None else self.origin[index]

    def prefix(self, length: int) -> Folded:
        """The folding of the original's first `length` characters."""
        if self.origin is None:
            return Folded(self.text[:length], None, min(length, self.source_length))
        kept = bisect_left(self.origin, length)
        return Folded(self.text[:kept], self.origin[:kept], min(length, self.source_length))

    def span(self, start: int, end: int, original: str) -> Span:
        """The original span behind folded[start:end], trailing combining marks included."""
        first = self.offset(start)
        last = self.offset(end - 1) + 1
        while last < self.source_length and unicodedata.combining(original[last]):
            last += 1
        return Span(first, last)


def _fold_char(char: str) -> str:
    """One character, lower case and without diacritics; always exactly one character."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


# Every character whose folded form differs from it lies below U+2FA1E (the last are CJK
# compatibility ideographs); str.translate leaves one past the end of a str table as it is.
TABLE_END = 0x2FA1E
_SURROGATES = range(0xD800, 0xE000)


@lru_cache(maxsize=1)
def _table() -> str:
    """str.translate's table as a string indexed by code point, built once (~0.15 s):
    translating through it is twice as fast as a table built for each text."""
    chars = (chr(code) for code in range(TABLE_END))
    return "".join(ch if ord(ch) in _SURROGATES else _fold_char(ch) for ch in chars)


def fold(text: str) -> Folded:
    table = _table()
    if not any(map(unicodedata.combining, set(text))):
        return Folded(text.translate(table), None, len(text))
    keep = [i for i, ch in enumerate(text) if not unicodedata.combining(ch)]
    kept = "".join(text[i] for i in keep)
    return Folded(kept.translate(table), tuple(keep), len(text))


def fold_plain(text: str) -> str:
    return fold(text).text
