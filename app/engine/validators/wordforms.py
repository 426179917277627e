"""The words of a message as the validator sees them, and how two words are compared.

A word has two forms: `key` (lower case, no diacritics, repeated letters squeezed) to find
candidates, and `mark` (lower case, diacritics kept) so that a word typed with diacritics
only matches the same diacritics ("dùng" is not "đừng"), while a word typed without any
("dung") matches every reading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

# The boundary between a word and the one before it.
NONE, CLAUSE, SENTENCE = 0, 1, 2

Form = tuple[str, str]  # (key, mark)

_REPEATS = re.compile(r"(\D)\1+")  # digits stay: "000123" is a number


class Word(NamedTuple):
    """One normalised word; `start`/`end` are offsets in the original text."""

    start: int
    end: int
    key: str
    mark: str
    brk: int  # NONE, CLAUSE or SENTENCE: the boundary between this word and the previous


@dataclass(slots=True)
class Words:
    """A message's words as parallel lists: word i is `keys[i]`, `marks[i]`, …

    Lists of strings and small integers, not an object per word: they are built by C
    loops, and a long message does not fill the memory with objects to collect."""

    starts: list[int] = field(default_factory=list)  # offsets in the text as written
    ends: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    brks: list[int] = field(default_factory=list)  # the boundary before each word

    @classmethod
    def of(cls, words: Sequence[Word]) -> Words:
        """The same words, given one object each."""
        if not words:
            return cls()
        starts, ends, keys, marks, brks = (list(column) for column in zip(*words, strict=True))
        return cls(starts, ends, keys, marks, brks)

    def __len__(self) -> int:
        return len(self.keys)

    def word(self, i: int) -> Word:
        return Word(self.starts[i], self.ends[i], self.keys[i], self.marks[i], self.brks[i])


def compatible(key: str, mark: str, p_key: str, p_mark: str) -> bool:
    """Same letters, and the same diacritics unless the word was typed without any.

    A phrase written without diacritics ("nha", "pin") matches only words without them:
    "nha" the particle is not "nhà" the house.
    """
    return key == p_key and (mark == key or mark == p_mark)


def squeeze(text: str) -> str:
    return _REPEATS.sub(r"\1", text) if len(text) > 1 else text


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")
