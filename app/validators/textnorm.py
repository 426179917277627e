"""Words of a message, normalised for phrase matching, each pointing at the text as written.

A word keeps the offsets of the characters it came from, so whatever normalisation does
(NFC/NFD, full-width letters, look-alike Cyrillic, zero-width characters, "m.ậ.t" or
"u l t r a" spelt out, teencode expanded to several words) a match still names the
original substring. Two forms are kept per word: `key` (lower case, no diacritics,
repeated letters squeezed) to find candidates, and `mark` (lower case, diacritics kept)
so that a word typed with diacritics only matches the same diacritics ("dùng" is not
"đừng"), while a word typed without any ("dung") matches every reading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

NONE, CLAUSE, SENTENCE = 0, 1, 2

# A single character class with no nesting: the scan stays linear. Combining marks and
# invisible characters belong to the word they sit in (NFD input, "m\u200bật"); "_" is
# a word character dropped by normalisation, so "p_i_n" reads "pin".
_WORD = re.compile(
    r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    r"\u200b-\u200d\u2060\ufeff\u00ad]+"
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad_"))
_REPEATS = re.compile(r"(\D)\1+")  # digits stay: "000123" is a number
_JOINERS = frozenset(".-·*")
# A colon closes what a verb before it governs ("Yêu cầu SD…: mật khẩu phải có…").
_SENTENCE_MARKS = frozenset("\n!?;:。！？；：")
_CLAUSE_MARKS = frozenset(",–—|，")
_CACHE_LIMIT = 50_000


class Word(NamedTuple):
    """One normalised word; `start`/`end` are offsets in the original text."""

    start: int
    end: int
    key: str
    mark: str
    brk: int  # NONE, CLAUSE or SENTENCE: the boundary between this word and the previous


Form = tuple[str, str]  # (key, mark)


def compatible(key: str, mark: str, p_key: str, p_mark: str) -> bool:
    """Same letters, and the same diacritics unless the word was typed without any.

    A phrase written without diacritics ("nha", "pin") matches only words without them:
    "nha" the particle is not "nhà" the house.
    """
    return key == p_key and (mark == key or mark == p_mark)


def squeeze(text: str) -> str:
    return _REPEATS.sub(r"\1", text) if len(text) > 1 else text


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


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


class Normaliser:
    """Turns text into words; built once per lexicon (look-alikes, teencode)."""

    def __init__(self, lookalikes: Mapping[str, str], teencode: Mapping[str, str]) -> None:
        self._table = str.maketrans(dict(lookalikes))
        self._forms: dict[str, tuple[str, str]] = {}
        self._words: dict[tuple[str, str], tuple[Form, ...]] = {}
        self._by_raw: dict[str, tuple[bool, tuple[Form, ...]]] = {}
        self._teencode: dict[str, list[tuple[str, tuple[Form, ...]]]] = {}
        for short, long in teencode.items():
            plain, mark = self.forms(short)
            self._teencode.setdefault(plain, []).append((mark, self.phrase_words(long)))

    def forms(self, raw: str) -> tuple[str, str]:
        """(plain, mark) of one word as written: plain has no diacritics, nothing squeezed."""
        hit = self._forms.get(raw)
        if hit is None:
            text = unicodedata.normalize("NFKC", raw.translate(_INVISIBLE)).lower()
            mark = unicodedata.normalize("NFC", text.translate(self._table))
            hit = (_strip_marks(mark), mark)
            if len(self._forms) >= _CACHE_LIMIT:
                self._forms.clear()
            self._forms[raw] = hit
        return hit

    def phrase_words(self, phrase: str) -> tuple[Form, ...]:
        """The (key, mark) words a lexicon phrase is matched by."""
        forms = (self.forms(m.group()) for m in _WORD.finditer(phrase))
        return tuple((squeeze(p), squeeze(m)) for p, m in forms if p)

    def words(self, text: str) -> list[Word]:
        # findall and split run in C; gaps[i] is the text before toks[i].
        toks, gaps = _WORD.findall(text), _WORD.split(text)
        starts, pos = [], 0
        for gap, tok in zip(gaps, toks, strict=False):
            pos += len(gap)
            starts.append(pos)
            pos += len(tok)
        out: list[Word] = []
        append, by_raw = out.append, self._by_raw
        i, seen = 0, False
        while i < len(toks):
            single, forms = by_raw.get(toks[i]) or self._raw_forms(toks[i])
            last = i
            if single:
                last, plain, mark = self._join(toks, gaps, i)
                forms = self._word_forms(plain, mark) if last > i else forms
            start, end, gap = starts[i], starts[last] + len(toks[last]), gaps[i]
            i = last + 1
            if not forms:
                continue
            brk = NONE if not seen or gap == " " else boundary(gap)
            seen = True
            append(Word(start, end, forms[0][0], forms[0][1], brk))
            if len(forms) > 1:
                out.extend(Word(start, end, key, mark, NONE) for key, mark in forms[1:])
        return out

    def _raw_forms(self, raw: str) -> tuple[bool, tuple[Form, ...]]:
        """Whether the word is a single letter (it may be spelt-out text), and its forms."""
        plain, mark = self.forms(raw)
        hit = (len(plain) == 1, self._word_forms(plain, mark) if plain else ())
        if len(self._by_raw) >= _CACHE_LIMIT:
            self._by_raw.clear()
        self._by_raw[raw] = hit
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
            if len(self._words) >= _CACHE_LIMIT:
                self._words.clear()
            self._words[(plain, mark)] = hit
        return hit


Label = tuple[str, int, str]  # kind ("verb", "obj", "cue", …), request group, name


class Hit(NamedTuple):
    """Words [lo, hi) matched a phrase carrying `labels`."""

    lo: int
    hi: int
    labels: frozenset[Label]


class _Entry(NamedTuple):
    keys: list[str]
    marks: tuple[str, ...]
    compact_key: str
    compact_mark: str
    items: frozenset[Label]  # what the phrase is (a verb, an object, a domain term)
    cues: frozenset[Label]  # what it signals (a negator, a pronoun, …): kind "cue"


_COMPACT_MIN = 5  # shorter run-together words ("pin") would match by accident
_COMPACT_SPAN = 3


class _Start(NamedTuple):
    """What a word may start: the one-word phrases it is, the longer phrases keyed by
    their second word (most words start many: "mã pin", "mã otp"), run-together ones."""

    items: frozenset[Label]
    cues: tuple[str, ...]  # names of the cue labels
    longer: dict[str, list[_Entry]]
    compact: bool  # the word spells a phrase or begins one written without spaces


class PhraseIndex:
    """Phrases keyed by their first word: the matches at a position are a dict lookup plus
    a check of a few words, so a scan is linear in the length of the text. Items (verbs,
    objects) do not overlap: the longest wins. Cues (labels of kind "cue") all count."""

    def __init__(self) -> None:
        self._pending: dict[tuple[Form, ...], set[Label]] = {}
        self._first: dict[str, list[_Entry]] = {}
        self._compact: dict[str, list[_Entry]] = {}
        self._prefixes: set[str] = set()
        self._starts: dict[Form, _Start] = {}
        self.heads: frozenset[str] = frozenset()  # words a phrase may start with

    def add(self, words: tuple[Form, ...], label: Label) -> None:
        if words:
            self._pending.setdefault(words, set()).add(label)

    def freeze(self) -> PhraseIndex:
        for words, labels in self._pending.items():
            keys, marks = [k for k, _ in words], tuple(m for _, m in words)
            cues = frozenset(label for label in labels if label[0] == "cue")
            entry = _Entry(
                keys, marks, "".join(keys), "".join(marks), frozenset(labels) - cues, cues
            )
            self._first.setdefault(keys[0], []).append(entry)
            if entry.items and len(entry.compact_key) >= _COMPACT_MIN:
                self._compact.setdefault(entry.compact_key, []).append(entry)
                self._prefixes.update(entry.compact_key[:n] for n in range(1, 64))
        for entries in self._first.values():
            entries.sort(key=lambda e: -len(e.keys))
        # A run-together phrase is looked for from a word that starts a phrase or spells
        # one whole ("matkhau"), not from every prefix: that would be most short words.
        self.heads = frozenset(self._first) | frozenset(self._compact)
        return self

    def _starting(self, key: str, mark: str) -> _Start:
        """Item and cue labels of the one-word phrases this word is, and the longer
        phrases it may start; cached, as the same words come back again and again."""
        hit = self._starts.get((key, mark))
        if hit is None:
            fits = [e for e in self._first.get(key, ()) if mark == key or mark == e.marks[0]]
            ones = [e for e in fits if len(e.keys) == 1]
            items = frozenset().union(*(e.items for e in ones))
            cues = sorted({name for e in ones for _, _, name in e.cues})
            longer: dict[str, list[_Entry]] = {}
            for e in fits:
                if len(e.keys) > 1:
                    longer.setdefault(e.keys[1], []).append(e)
            hit = _Start(items, tuple(cues), longer, key in self._prefixes)
            if len(self._starts) >= _CACHE_LIMIT:
                self._starts.clear()
            self._starts[(key, mark)] = hit
        return hit

    def at(
        self, words: list[Word], keys: list[str], i: int
    ) -> tuple[Hit | None, list[tuple[int, tuple[str, ...]]]]:
        """The longest item at word i, and the cues starting there as (end, names). Items
        of that length that also fit add their labels: bare "nhan" is "nhắn" and "nhận"."""
        one, names, longer, compact = self._starting(keys[i], words[i].mark)
        item: Hit | None = None
        cues = [(i + 1, names)] if names else []
        nxt = keys[i + 1] if i + 1 < len(keys) else ""
        for e in longer.get(nxt, ()) if longer else ():
            if _fits(e, words, keys, i):
                hi = i + len(e.keys)
                if e.cues:
                    cues.append((hi, tuple(name for _, _, name in e.cues)))
                if e.items and (item is None or item.hi == hi):
                    item = Hit(i, hi, e.items if item is None else item.labels | e.items)
        if item is None and one:
            item = Hit(i, i + 1, one)
        # A run-together phrase only matters where no phrase of two words or more matched.
        if (
            compact
            and (item is None or item.hi == i + 1)
            and (keys[i] in self._compact or keys[i] + nxt in self._prefixes)
        ):
            run = self._compact_at(words, keys, i)
            if run is not None and (item is None or run.hi > item.hi):
                item = run
        return item, cues

    def _compact_at(self, words: list[Word], keys: list[str], i: int) -> Hit | None:
        """'matkhau', 'ultra view': the words run together spell a phrase."""
        found: Hit | None = None
        key = mark = ""
        for k in range(1, min(_COMPACT_SPAN, len(words) - i) + 1):
            if k > 1 and words[i + k - 1].brk != NONE:
                break
            key += keys[i + k - 1]
            mark += words[i + k - 1].mark
            if key not in self._prefixes:
                break
            for e in self._compact.get(key, ()):
                if len(e.keys) != k and compatible(key, mark, e.compact_key, e.compact_mark):
                    found = Hit(i, i + k, e.items)
        return found


def _fits(e: _Entry, words: list[Word], keys: list[str], i: int) -> bool:
    """The words after the first (already checked) match the phrase."""
    n = len(e.keys)
    if keys[i : i + n] != e.keys:
        return False
    for j in range(1, n):
        w = words[i + j]
        if w.brk != NONE or (w.mark != w.key and w.mark != e.marks[j]):
            return False
    return True
