"""Diacritic folding with a map back to the original offsets, for keyword search.

Vietnamese arrives precomposed (NFC), decomposed (NFD) or with diacritics dropped; a
keyword must match all three and the finding must still point at the text as written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app.findings import Span

_SPECIAL = {"đ": "d", "Đ": "d"}


@dataclass(frozen=True, slots=True)
class Folded:
    text: str  # lower case, no diacritics
    origin: tuple[int, ...]  # origin[i] = offset in the original of text[i]
    source_length: int

    def span(self, start: int, end: int, original: str) -> Span:
        """The original span behind folded[start:end], trailing combining marks included."""
        first = self.origin[start]
        last = self.origin[end - 1] + 1
        while last < self.source_length and unicodedata.combining(original[last]):
            last += 1
        return Span(first, last)


def _fold_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0].lower()
    return base if len(base) == 1 else char


def fold(text: str) -> Folded:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if unicodedata.combining(char):
            continue
        chars.append(_fold_char(char))
        origin.append(index)
    return Folded("".join(chars), tuple(origin), len(text))


def fold_plain(text: str) -> str:
    return fold(text).text
