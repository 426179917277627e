"""Words of a message, normalised for phrase matching, each pointing at the text as written.

A word keeps the offsets of the characters it came from, so whatever normalisation does
(NFC/NFD, full-width letters, look-alike Cyrillic, zero-width characters, "m.ậ.t" or
"u l t r a" spelt out, teencode expanded to several words) a match still names the
original substring. Each word has a `key` and a `mark` form (see `wordforms`).

The words come as parallel lists (`Words`), not an object per word: a message of 100 KB
has some 20,000 words, and the lists are built by C loops (`re.split`, `map`, slicing)
from per-token caches, since the same tokens come back again and again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from itertools import accumulate, repeat
from typing import NamedTuple

from app.engine.validators.bounded import bounded, full

# Re-exported: the phrase index was defined here before it had a module of its own.
from app.engine.validators.hits import Hit, Label
from app.engine.validators.phrases import PhraseIndex
from app.engine.validators.wordforms import (
    CLAUSE,
    NONE,
    SENTENCE,
    Form,
    Word,
    Words,
    compatible,
    squeeze,
    strip_marks,
)

__all__ = [
    "CLAUSE",
    "NONE",
    "SENTENCE",
    "Hit",
    "Label",
    "Normaliser",
    "PhraseIndex",
    "Word",
    "Words",
    "boundary",
    "compatible",
    "squeeze",
]

# A single character class with no nesting: the scan stays linear. Combining marks and
# invisible characters belong to the word they sit in (NFD input, "m\u200bật"); "_" is
# a word character dropped by normalisation, so "p_i_n" reads "pin".
_WORD = re.compile(
    r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    r"\u200b-\u200d\u2060\ufeff\u00ad]+"
)
# Split keeps the words: [gap, word, gap, word, …, gap].
_WORDS_AND_GAPS = re.compile(f"({_WORD.pattern})")

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad_"))
_JOINERS = frozenset(".-·*")
# A colon closes what a verb before it governs ("Yêu cầu SD…: mật khẩu phải có…").
_SENTENCE_MARKS = frozenset("\n!?;:。！？；：")
_CLAUSE_MARKS = frozenset(",–—|，")


def boundary(gap: str) -> int:
    """How strongly the characters between two words separate them."""
    if gap == " ":
        return NONE
    if any(c in _SENTENCE_MARKS for c in gap):
        return SENTENCE
    # An ellipsis trails a list ("ultraview..., mã pin"); it does not end the sentence.
    bare = gap.replace("...", "").replace("…", "")
    dot = bare.find(".")
    while dot >= 0:
        if dot + 1 < len(bare) and bare[dot + 1].isspace():
            return SENTENCE
        dot = bare.find(".", dot + 1)
    if any(c in _CLAUSE_MARKS for c in gap) or " - " in gap:
        return CLAUSE
    return NONE


class _Split(NamedTuple):
    """The tokens of a text, the gap before each (and the text after the last), and
    where each token starts and ends."""

    toks: list[str]
    gaps: list[str]
    starts: list[int]
    ends: list[int]


class Normaliser:
    """Turns text into words; built once per lexicon (look-alikes, teencode)."""

    def __init__(self, lookalikes: Mapping[str, str], teencode: Mapping[str, str]) -> None:
        self._table = str.maketrans(dict(lookalikes))
        self._forms: dict[str, Form] = {}  # token as written -> (plain, mark)
        # A token that is one word, not a letter: its key and its mark.
        self._plain_keys: dict[str, str] = {}
        self._plain_marks: dict[str, str] = {}
        self._other_tokens: dict[str, tuple[bool, tuple[Form, ...]]] = {}
        self._words: dict[Form, tuple[Form, ...]] = {}
        self._gaps: dict[str, int] = {}
        self._teencode: dict[str, list[tuple[str, tuple[Form, ...]]]] = {}
        for short, long in teencode.items():
            plain, mark = self.forms(short)
            self._teencode.setdefault(plain, []).append((mark, self.phrase_words(long)))

    def forms(self, raw: str) -> Form:
        """(plain, mark) of one word as written: plain has no diacritics, nothing squeezed."""
        hit = self._forms.get(raw)
        if hit is None:
            text = unicodedata.normalize("NFKC", raw.translate(_INVISIBLE)).lower()
            mark = unicodedata.normalize("NFC", text.translate(self._table))
            hit = (strip_marks(mark), mark)
            bounded(self._forms)[raw] = hit
        return hit

    def phrase_words(self, phrase: str) -> tuple[Form, ...]:
        """The (key, mark) words a lexicon phrase is matched by."""
        forms = (self.forms(m.group()) for m in _WORD.finditer(phrase))
        return tuple((squeeze(p), squeeze(m)) for p, m in forms if p)

    def words(self, text: str) -> list[Word]:
        """The words one object each: easier to read, slower to build than `tokens`."""
        found = self.tokens(text)
        return [found.word(i) for i in range(len(found))]

    def tokens(self, text: str) -> Words:
        """The words of a text, in order."""
        parts = _WORDS_AND_GAPS.split(text)
        toks, gaps = parts[1::2], parts[0::2]  # gaps[i] is the text before toks[i]
        offsets = list(accumulate(map(len, parts)))
        starts, ends = offsets[0:-1:2], offsets[1::2]
        # "" (no key is empty): a spelt-out letter, teencode, a token not seen yet.
        keys = list(map(self._plain_keys.get, toks, repeat("")))
        marks = list(map(self._plain_marks.get, toks, repeat("")))
        if "" in keys:
            out = self._assemble(_Split(toks, gaps, starts, ends), keys, marks)
        else:
            out = Words(starts, ends, keys, marks, self._breaks(gaps[:-1]))
        if out.brks:
            out.brks[0] = NONE  # nothing comes before the first word
        return out

    def _assemble(self, split: _Split, keys: list[str], marks: list[str]) -> Words:
        """Runs of plain tokens are copied whole; the others ("") are read one by one."""
        out, done = Words(), 0
        for i in _positions(keys, ""):
            if i >= done:  # not already joined to the letter before it
                self._copy(out, split, keys, marks, done, i)
                done = self._read(out, split, i)
        self._copy(out, split, keys, marks, done, len(keys))
        return out

    def _copy(
        self, out: Words, split: _Split, keys: list[str], marks: list[str], lo: int, hi: int
    ) -> None:
        """Append the plain tokens lo, lo + 1, …, hi - 1."""
        brks = self._breaks(split.gaps[lo:hi])
        if not out.keys:  # nothing to append to: the slices will do, without a copy
            out.starts, out.ends, out.brks = split.starts[lo:hi], split.ends[lo:hi], brks
            out.keys, out.marks = keys[lo:hi], marks[lo:hi]
            return
        out.starts += split.starts[lo:hi]
        out.ends += split.ends[lo:hi]
        out.keys += keys[lo:hi]
        out.marks += marks[lo:hi]
        out.brks += brks

    def _read(self, out: Words, split: _Split, i: int) -> int:
        """Append the word(s) token i starts; the index of the first token after them."""
        single, forms = self._token(split.toks[i])
        last = i
        if single:
            last, plain, mark = self._join(split.toks, split.gaps, i)
            forms = self._word_forms(plain, mark) if last > i else forms
        if forms:  # teencode words share the span; only the first follows a boundary
            out.starts += [split.starts[i]] * len(forms)
            out.ends += [split.ends[last]] * len(forms)
            out.keys += (key for key, _ in forms)
            out.marks += (mark for _, mark in forms)
            out.brks += [self._break(split.gaps[i])] + [NONE] * (len(forms) - 1)
        return last + 1

    def _token(self, raw: str) -> tuple[bool, tuple[Form, ...]]:
        """Whether the token is a single letter (it may be spelt-out text), and its forms.
        A token that is one word, not a letter, goes to the tables `tokens` reads first."""
        hit = self._other_tokens.get(raw)
        if hit is None:
            plain, mark = self.forms(raw)
            hit = (len(plain) == 1, self._word_forms(plain, mark) if plain else ())
            if hit[0] or len(hit[1]) != 1:
                bounded(self._other_tokens)[raw] = hit
            else:
                if full(self._plain_keys):  # the two are kept in step
                    self._plain_keys.clear()
                    self._plain_marks.clear()
                self._plain_keys[raw], self._plain_marks[raw] = hit[1][0]
        return hit

    def _breaks(self, gaps: list[str]) -> list[int]:
        found = list(map(self._gaps.get, gaps, repeat(-1)))  # -1: a gap not seen yet
        if -1 in found:
            return [self._break(gap) for gap in gaps]
        return found

    def _break(self, gap: str) -> int:
        hit = self._gaps.get(gap)
        if hit is None:
            hit = bounded(self._gaps)[gap] = boundary(gap)
        return hit

    def _join(self, toks: list[str], gaps: list[str], i: int) -> tuple[int, str, str]:
        """'m.ậ.t', 'p-i-n', 'e-mail' (one joiner, a single letter on one side) and
        'u l t r a' (three or more single letters one space apart) form one word."""
        spaced = gaps[i + 1] == " " if i + 1 < len(toks) else False
        j, single, pieces = i, True, [self.forms(toks[i])]
        while j + 1 < len(toks) and len(gaps[j + 1]) == 1:
            if (gaps[j + 1] == " ") != spaced or not (spaced or gaps[j + 1] in _JOINERS):
                break
            nxt = self.forms(toks[j + 1])
            if not nxt[0] or not ((single and not spaced) or len(nxt[0]) == 1):
                break
            pieces.append(nxt)
            single, j = len(nxt[0]) == 1, j + 1
        if j - i < (2 if spaced else 1):
            return i, *pieces[0]
        return j, "".join(p for p, _ in pieces), "".join(m for _, m in pieces)

    def _word_forms(self, plain: str, mark: str) -> tuple[Form, ...]:
        """The word's (key, mark), or the words its teencode stands for."""
        hit = self._words.get((plain, mark))
        if hit is None:
            key = squeeze(plain)
            hit = ((key, squeeze(mark)),)
            # Laughter "kkk" is no "k" (không): only a word typed as such is expanded.
            for t_mark, expansion in self._teencode.get(plain, []) if key == plain else []:
                if compatible(plain, mark, plain, t_mark):
                    hit = expansion
                    break
            bounded(self._words)[(plain, mark)] = hit
        return hit


def _positions(items: list[str], value: str) -> Iterator[int]:
    """Where the value is in the list; `list.index` does the looking, in C."""
    at = -1
    while True:
        try:
            at = items.index(value, at + 1)
        except ValueError:
            return
        yield at
