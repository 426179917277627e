"""Diacritic folding with a map back to the original offsets, for keyword search.

Vietnamese arrives precomposed (NFC), decomposed (NFD) or with diacritics dropped; a
keyword must match all three and the finding must still point at the text as written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.findings import Span

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

    def span(self, start: int, end: int, original: str) -> Span:
        """The original span behind folded[start:end], trailing combining marks included."""
        first = self.offset(start)
        last = self.offset(end - 1) + 1
        while last < self.source_length and unicodedata.combining(original[last]):
            last += 1
        return Span(first, last)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character, lower case and without diacritics; always exactly one character."""
    if char in _SPECIAL:
        return _SPECIAL[char]
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


def fold(text: str) -> Folded:
    # One translate table for the distinct characters keeps this linear and in C.
    distinct = set(text)
    table = {ord(ch): _fold_char(ch) for ch in distinct}
    marks = {ch for ch in distinct if unicodedata.combining(ch)}
    if not marks:
        return Folded(text.translate(table), None, len(text))
    keep = [i for i, ch in enumerate(text) if ch not in marks]
    kept = "".join(text[i] for i in keep)
    return Folded(kept.translate(table), tuple(keep), len(text))


def fold_plain(text: str) -> str:
    return fold(text).text
