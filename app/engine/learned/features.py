"""What the model reads: a message as folded words in sentences, and their hashed features.

The words are the rule engine's own (`Normaliser.tokens`): lower case, no diacritics,
NFKC, zero-width characters and soft hyphens dropped, the reference's look-alike letters
mapped to Latin, letters spelt out with dots, spaces, hyphens or underscores joined,
teencode expanded. Every digit reads "0": "6 số" and "8 số" ask for the same thing.

A sentence's words give features: each word's character n-grams (2 to 5, the word padded
with a space on each side, like scikit-learn's `char_wb`), the word itself, and each pair
of neighbouring words. The model reads them three times with three sets of weights: in
the sentence, in the sentence after it (a request often names its object the sentence
before: "Mã vừa gửi về máy chị. Chị đọc giúp em nhé"), and in the whole message (a
warning reads like a warning in every sentence). The marks around a sentence are features
of it too: a quotation mark before it, a dash opening a line of a chat. Each feature is
hashed with CRC-32 into 2**bits columns: no vocabulary is kept, and training and scoring
hash alike.

This module is the plain version, which training uses; `app.engine.learned.model` scores the
same features faster, and a test holds the two together.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from app.engine.validators.textnorm import Normaliser
from app.engine.validators.wordforms import SENTENCE, Words

CHAR_NGRAMS = (2, 5)
# The sentence before weighs half as much as the sentence itself (measured: the
# regularised fit does better with it so).
PREVIOUS_WEIGHT = 0.5
# Double quotation marks: a sentence after an odd number of them is quoted.
QUOTES = frozenset('"“”„«»')
_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"\n|[.!?;:。！？；：][\"'”’»)\]]*\s")

Features = Counter[int]  # hashed column -> count


class Sentence(NamedTuple):
    """Words [lo, hi) of a message, characters [start, end) of its text."""

    lo: int
    hi: int
    start: int
    end: int


def read(norm: Normaliser, text: str, words: Words | None = None) -> tuple[list[Sentence], Words]:
    """The sentences of a text and its words. A sentence ends at a line break, or at a
    full stop, a question or exclamation mark, a colon or a semicolon followed by a space
    (not in "20:41", "v.v", "1.850.000"): where the rule engine sees a sentence end and
    this pattern agrees. `words`: the text's, if already read."""
    words = norm.tokens(text) if words is None else words
    starts, ends = words.starts, words.ends
    cuts = [
        i
        for i in positions(words.brks, SENTENCE)
        if i > 0  # a break before the first word ends no sentence
        if _SENTENCE_END.search(text, ends[i - 1], starts[i])
    ]
    bounds = [0, *cuts, len(words)]
    sentences = [
        Sentence(lo, hi, starts[lo], ends[hi - 1])
        for lo, hi in zip(bounds, bounds[1:], strict=False)
        if hi > lo
    ]
    return sentences, words


def counted(keys: list[str]) -> list[str]:
    """The words that give features: not numbers alone. Times, dates, amounts and phone
    numbers say how a message is laid out (a chat's "[10:05]"), not what it asks, and
    a model that learns the layout of one author's scams misjudges another's chats."""
    return [key for key in keys if not key.isdigit()]


def positions(items: list[int], value: int) -> list[int]:
    """Where the value is in the list; `list.index` does the looking, in C."""
    found: list[int] = []
    at = -1
    while True:
        try:
            at = items.index(value, at + 1)
        except ValueError:
            return found
        found.append(at)


def word_of(key: str) -> str:
    """The word as features read it: its key, every digit a 0 ("sd000000", "000k")."""
    return _DIGIT.sub("0", key)


def char_ngrams(word: str) -> list[str]:
    """The word's character n-grams, padded with a space on each side: " ma", "mat", …"""
    padded = f" {word} "
    lo, hi = CHAR_NGRAMS
    grams: list[str] = []
    for n in range(lo, min(hi, len(padded)) + 1):
        grams += [padded[i : i + n] for i in range(len(padded) - n + 1)]
    return grams


def word_features(word: str) -> list[str]:
    return [f"#{gram}" for gram in char_ngrams(word)] + [f"|{word}"]


def pair_feature(first: str, second: str) -> str:
    return f"|{first} {second}"


def marks(text: str, sentences: list[Sentence], j: int) -> list[str]:
    """The marks around sentence j: punctuation and symbols just before its first word
    and just after its last, a line break before it, whether it is quoted."""
    sentence = sentences[j]
    before = text[sentences[j - 1].end if j else 0 : sentence.start]
    after = text[sentence.end : sentences[j + 1].start if j + 1 < len(sentences) else len(text)]
    found = {f"^{c}" for c in before if _is_mark(c)} | {f"${c}" for c in after if _is_mark(c)}
    if "\n" in before:
        found.add("^nl")
    quotes = sum(text.count(q, 0, sentence.start) for q in QUOTES)
    if quotes % 2:
        found.add("quoted")
    if any(c in QUOTES for c in text[sentence.start : sentence.end]):
        found.add("quotes")
    return sorted(found)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def mark_feature(mark: str) -> str:
    return f"!{mark}"


def column(feature: str, bits: int) -> int:
    """The hashed column of a feature."""
    return zlib.crc32(feature.encode("utf-8")) & ((1 << bits) - 1)


@dataclass(frozen=True, slots=True)
class Read:
    """A message read for the model: per sentence, its word features (words and pairs)
    and its marks, as hashed columns with counts."""

    sentences: list[Sentence]
    words: Words
    own: list[Features]
    marks: list[Features]

    def message(self) -> Features:
        total: Features = Counter()
        for found in self.own:
            total.update(found)
        return total


@lru_cache(maxsize=100_000)
def _word_columns(word: str, bits: int) -> tuple[int, ...]:
    return tuple(column(f, bits) for f in word_features(word))


def read_message(norm: Normaliser, text: str, bits: int) -> Read:
    sentences, words = read(norm, text)
    own: list[Features] = []
    found_marks: list[Features] = []
    for j, s in enumerate(sentences):
        found: Features = Counter()
        part = [word_of(key) for key in counted(words.keys[s.lo : s.hi])]
        for i, word in enumerate(part):
            found.update(_word_columns(word, bits))
            if i + 1 < len(part):
                found[column(pair_feature(word, part[i + 1]), bits)] += 1
        own.append(found)
        found_marks.append(
            Counter(column(mark_feature(m), bits) for m in marks(text, sentences, j))
        )
    return Read(sentences, words, own, found_marks)


def scaled(found: Features, weight: float = 1.0) -> dict[int, float]:
    """Counts divided by the root of their sum: a long sentence does not outweigh a
    short one by its length alone."""
    total = sum(found.values())
    if not total:
        return {}
    scale = weight / math.sqrt(total)
    return {col: count * scale for col, count in found.items()}
