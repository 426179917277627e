"""Lexicon phrases found in a message's words, in time linear in the number of words.

Phrases are keyed by their first word: the matches at a position are a dict lookup plus
a check of a few words. Items (verbs, objects, domain terms) do not overlap: the longest
wins. Cues (labels of kind "cue": negators, pronouns, …) all count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from typing import NamedTuple

from app.engine.validators.bounded import bounded
from app.engine.validators.hits import Hit, Label, Marks, Spans
from app.engine.validators.wordforms import NONE, Form, Word, Words, compatible

Cues = list[tuple[int, tuple[str, ...]]]  # (one past the last word, cue names)

_COMPACT_MIN = 5  # shorter run-together words ("pin") would match by accident
_COMPACT_SPAN = 3


# Hit(lo, hi, labels) runs a Python-level __new__; from a tuple, it is built in C.
_hit = partial(tuple.__new__, Hit)


class _Entry(NamedTuple):
    keys: list[str]
    marks: tuple[str, ...]
    compact_key: str
    compact_mark: str
    items: frozenset[Label]  # what the phrase is (a verb, an object, a domain term)
    cues: tuple[str, ...]  # names of what it signals (a negator, a pronoun, …)


@dataclass(slots=True)
class _Node:
    """Longer phrases as a tree of their next words: matching walks the message's words
    down it, one dict lookup a word, however many phrases share the beginning."""

    after: dict[str, _Node] = field(default_factory=dict)
    ending: list[_Entry] = field(default_factory=list)  # phrases whose last word this is


class _Start(NamedTuple):
    """What a word may start: the one-word phrases it is, the longer phrases by their
    second word (most words start many: "mã pin", "mã otp"), run-together ones."""

    items: frozenset[Label]
    cues: tuple[str, ...]
    longer: dict[str, _Node]
    compact: bool  # the word begins a phrase written without spaces ("matkhau")
    whole: bool  # the word spells such a phrase whole


_UNSEEN = _Start(frozenset(), (), {}, False, False)  # a word not looked up yet


class PhraseIndex:
    """Phrases keyed by their first word; `add` them all, then `freeze`."""

    def __init__(self) -> None:
        self._pending: dict[tuple[Form, ...], set[Label]] = {}
        self._first: dict[str, list[_Entry]] = {}
        self._compact: dict[str, list[_Entry]] = {}
        self._prefixes: set[str] = set()
        self._starts: dict[Form, _Start | None] = {}
        self.heads: frozenset[str] = frozenset()  # words a phrase may start with

    def add(self, words: tuple[Form, ...], label: Label) -> None:
        if words:
            self._pending.setdefault(words, set()).add(label)

    def freeze(self) -> PhraseIndex:
        for words, labels in self._pending.items():
            keys, marks = [k for k, _ in words], tuple(m for _, m in words)
            cues = frozenset(label for label in labels if label[0] == "cue")
            names = tuple(sorted(name for _, _, name in cues))
            items = frozenset(labels) - cues
            entry = _Entry(keys, marks, "".join(keys), "".join(marks), items, names)
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

    def scan(self, words: Words) -> tuple[dict[int, Hit], Marks]:
        """The longest item starting at each word, and every cue wherever it starts.
        Items of that length that also fit add their labels: "nhan" is "nhắn" and "nhận"."""
        keys, marks, brks = words.keys, words.marks, words.brks
        items: dict[int, Hit] = {}
        cues: Marks = defaultdict(Spans)
        prefixes, last = self._prefixes, len(keys) - 1
        # What each word starts, looked up by a C loop; words that start nothing (None)
        # are skipped by another.
        starts = list(map(self._starts.get, zip(keys, marks, strict=True), repeat(_UNSEEN)))
        for i in compress(range(len(keys)), starts):
            key, start = keys[i], starts[i]
            if start is _UNSEEN:
                start = self._starting(key, marks[i])
            if start is None:
                continue
            ones, names, longer, compact, whole = start
            for name in names:
                spans = cues[name]  # appended in place: a method call a marker adds up
                spans.los.append(i)
                spans.his.append(i + 1)
            nxt = keys[i + 1] if i < last else ""
            second = longer.get(nxt) if longer else None
            item = _longest(second, keys, marks, brks, i, cues) if second else None
            if item is None and ones:
                item = _hit((i, i + 1, ones))
            # A run-together phrase only matters where no phrase of two words or more did.
            if compact and (item is None or item.hi == i + 1) and (whole or key + nxt in prefixes):
                run = self._compact_at(keys, marks, brks, i)
                if run is not None and (item is None or run.hi > item.hi):
                    item = run
            if item is not None:
                items[i] = item
        return items, cues

    def at(self, words: Sequence[Word], keys: list[str], i: int) -> tuple[Hit | None, Cues]:
        """The longest item at word i, and the cues starting there as (end, names):
        one position of `scan`, for words given one object each."""
        items, cues = self.scan(Words.of(words))
        ends: dict[int, list[str]] = {}
        for name, spans in cues.items():
            for lo, hi in spans:
                if lo == i:
                    ends.setdefault(hi, []).append(name)
        return items.get(i), [(hi, tuple(names)) for hi, names in sorted(ends.items())]

    def _starting(self, key: str, mark: str) -> _Start | None:
        """Item and cue labels of the one-word phrases this word is, and the longer
        phrases it may start, or None if it starts nothing; cached, as the same words
        come back again and again."""
        hit = self._starts.get((key, mark), _UNSEEN)
        if hit is _UNSEEN:
            fits = [e for e in self._first.get(key, ()) if mark == key or mark == e.marks[0]]
            ones = [e for e in fits if len(e.keys) == 1]
            longer_ones = [e for e in fits if len(e.keys) > 1]
            items = frozenset[Label]().union(*(e.items for e in ones))
            cues = sorted({name for e in ones for name in e.cues})
            longer = _Node()
            for e in longer_ones:
                node = longer
                for word in e.keys[1:]:
                    node = node.after.setdefault(word, _Node())
                node.ending.append(e)
            compact = key in self.heads and key in self._prefixes  # see `freeze`
            whole = key in self._compact
            hit = _Start(items, tuple(cues), longer.after, compact, whole)
            if not (items or cues or longer.after or compact):
                hit = None
            bounded(self._starts)[(key, mark)] = hit
        return hit

    def _compact_at(self, keys: list[str], marks: list[str], brks: list[int], i: int) -> Hit | None:
        """'matkhau', 'ultra view': the words run together spell a phrase."""
        found: Hit | None = None
        key = mark = ""
        for k in range(1, min(_COMPACT_SPAN, len(keys) - i) + 1):
            if k > 1 and brks[i + k - 1] != NONE:
                break
            key += keys[i + k - 1]
            mark += marks[i + k - 1]
            if key not in self._prefixes:
                break
            for e in self._compact.get(key, ()):
                if len(e.keys) != k and compatible(key, mark, e.compact_key, e.compact_mark):
                    found = _hit((i, i + k, e.items))
        return found


def _longest(
    second: _Node,
    keys: list[str],
    marks: list[str],
    brks: list[int],
    i: int,
    cues: Marks,
) -> Hit | None:
    """The longest phrase of two words or more that fits at word i (`second` is the
    tree under words i and i + 1), with the labels of all that fit at that length; the
    cues of every phrase that fits go to `cues`."""
    ends: list[tuple[int, list[_Entry]]] = []  # (one past the last word, phrases)
    node: _Node | None = second
    j, n = i + 1, len(keys)
    # A phrase stays within a clause: the walk stops at the first boundary.
    while node is not None and brks[j] == NONE:
        j += 1
        if node.ending:
            ends.append((j, node.ending))
        node = node.after.get(keys[j]) if j < n and node.after else None
    item: Hit | None = None
    for hi, entries in reversed(ends):  # longest first
        for e in entries:
            if hi == i + 2:  # two words, the most common: checked here
                mark = marks[i + 1]
                if mark != keys[i + 1] and mark != e.marks[1]:
                    continue
            elif not _marks_fit(e, keys, marks, i, hi):
                continue
            for name in e.cues:
                spans = cues[name]
                spans.los.append(i)
                spans.his.append(hi)
            if e.items and (item is None or item.hi == hi):
                item = _hit((i, hi, e.items if item is None else item.labels | e.items))
    return item


def _marks_fit(e: _Entry, keys: list[str], marks: list[str], i: int, hi: int) -> bool:
    """Each word after the first has the phrase's diacritics, or none at all."""
    for j in range(i + 1, hi):
        mark = marks[j]
        if mark != keys[j] and mark != e.marks[j - i]:
            return False
    return True
