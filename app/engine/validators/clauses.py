"""The grammar around a verb: its clause and sentence, and what scopes it.

A verb asks the reader for something unless it is in the scope of a negator before it
in its clause ("không cung cấp", "never share"), a hypothesis ("nếu", "khi có người yêu
cầu…"), a reported third party ("kẻ gian"), or a subject that is not the reader ("hệ
thống sẽ gửi", "chúng tôi gửi", passive "được"). A contrast word ("chỉ", "nhưng")
starts a new clause, so "đừng gửi ai khác, chỉ gửi em mã PIN" asks.

Clauses and sentences are kept as the sorted list of the words that start them and
looked up by bisection: a message has far fewer of them than words.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import compress

from app.engine.findings import Span
from app.engine.reference.lexicon import Reach
from app.engine.validators.hits import NO_SPANS, VERB_CLASSES, Hit, Marks, Spans
from app.engine.validators.scopemarks import scoped_marks
from app.engine.validators.wordforms import SENTENCE, Words

# Markers looked up by the word they end at: subjects and what links them to the verb.
_BY_END = ("auxiliaries", "agents", "passives", "speakers", "coordinators")
_NO_ENDS: dict[int, int] = {}


@dataclass(slots=True)
class Scan:
    """A message as words, verbs, scope markers, clauses and sentences."""

    text: str
    words: Words
    marks: Marks
    ends: dict[str, dict[int, int]]  # per marker kind: last word + 1 -> first word
    clauses: list[int]  # the first word of every clause, in order
    sentences: list[int]  # the first word of every sentence, in order
    verbs: list[Hit]
    verb_starts: list[int]  # verbs[k].lo
    symbols: dict[str, tuple[str, ...]]
    reach: Reach  # how many words the grammar looks across (the lexicon's)
    _found: dict[str, list[int]] = field(default_factory=dict)  # symbol -> offsets

    @classmethod
    def of(
        cls,
        text: str,
        words: Words,
        items: list[Hit],
        raw: Marks,
        symbols: dict[str, tuple[str, ...]],
        reach: Reach,
    ) -> Scan:
        marks = scoped_marks(items, raw)
        brks = words.brks
        # Words after a clause or sentence end; the first word has no boundary before it
        # (`brks[0]` is NONE), so 0 comes once.
        bounds = list(compress(range(len(brks)), brks))
        breaks = [lo for name in ("contrast", "clause_breaks") for lo in _spans(marks, name).los]
        clauses = sorted({0, *bounds, *breaks}) if breaks else [0, *bounds]
        sentences = [0, *(i for i in bounds if brks[i] == SENTENCE)]
        # Markers are in word order: read backwards, the first word kept is the earliest.
        ends = {
            name: dict(zip(reversed(found.his), reversed(found.los), strict=True))
            for name in _BY_END
            if (found := marks.get(name))
        }
        verbs = [h for h in items if VERB_CLASSES[h.labels]]
        verb_starts = [h.lo for h in verbs]
        return cls(text, words, marks, ends, clauses, sentences, verbs, verb_starts, symbols, reach)

    def span(self, lo: int, hi: int) -> Span:
        return Span(self.words.starts[lo], self.words.ends[hi - 1])

    def clause(self, word: int) -> int:
        """The first word of the word's clause."""
        return self.clauses[bisect_right(self.clauses, word) - 1]

    def clause_end(self, word: int) -> int:
        """One past the last word of the word's clause."""
        k = bisect_right(self.clauses, word)
        return self.clauses[k] if k < len(self.clauses) else len(self.words)

    def sentence(self, word: int) -> int:
        return self.sentences[bisect_right(self.sentences, word) - 1]

    def sentence_end(self, word: int) -> int:
        k = bisect_right(self.sentences, word)
        return self.sentences[k] if k < len(self.sentences) else len(self.words)

    def _any_in(self, name: str, lo: int, hi: int) -> bool:
        """A marker of a kind starts among words [lo, hi)."""
        los = _spans(self.marks, name).los
        a = bisect_left(los, lo)
        return a < len(los) and los[a] < hi

    def _verb_index(self, word: int) -> int:
        """Index of the first verb starting at or after `word`."""
        return bisect_left(self.verb_starts, word)

    def governing(self, obj: Hit, sentence_wide: bool) -> list[Hit]:
        """The verbs that may govern an object, best first."""
        at = self._verb_index(obj.lo)
        if sentence_wide:
            lo, hi = self.sentence(obj.lo), self.sentence_end(obj.lo)
            a = self._verb_index(max(lo, obj.lo - self.reach.sentence))
            return self.verbs[a : self._verb_index(min(hi, obj.hi + self.reach.sentence))]
        prev = self.verbs[at - 1] if at > 0 else None
        if prev is not None and prev.lo < self.sentence(obj.lo):
            prev = None
        near = prev is not None and obj.lo - prev.hi <= self.reach.verb
        if prev is not None and near and prev.lo >= self.clause(obj.lo):
            return [prev]
        after = self._verbs_after(obj, at)
        if after:
            # An object opening its clause is its topic: "mã PIN anh đọc cho em". A verb
            # after it asks only if it is a question or the reader is named in between.
            return [
                v
                for v in after
                if "ask" in VERB_CLASSES[v.labels] or self._any_in("mood", obj.hi, v.lo)
            ]
        # A list run on after a comma ("gửi em ID, mật khẩu"): the item opens its clause.
        listed = obj.lo - self.clause(obj.lo) <= 1
        return [prev] if prev is not None and near and listed else []

    def _verbs_after(self, obj: Hit, at: int) -> list[Hit]:
        """Up to three verbs after the object, close to it, in its clause."""
        end, after = self.clause_end(obj.lo), []
        for verb in self.verbs[at : at + 3]:
            if verb.lo >= end or verb.lo - obj.hi > self.reach.forward:
                break
            after.append(verb)
        return after

    def out_of_scope(self, verb: Hit, depth: int = 2) -> bool:
        """A negator, a hypothesis or a reported third party scopes the verb, or the verb
        it is coordinated with: in "không yêu cầu cung cấp mật khẩu hay cài phần mềm" and
        "kẻ gian yêu cầu cài phần mềm hoặc đọc mã OTP", the second verb is covered too."""
        first = self.clause(verb.lo)
        if self._reached("negators", first, verb.lo, self.reach.negation):
            return True
        if self._any_in("hypothetical", first, verb.lo):
            return True
        if self._reached("reporters", first, verb.lo, self.reach.report):
            return True
        at = self._verb_index(verb.lo)
        if depth and at and verb.lo in self.ends.get("coordinators", _NO_ENDS):
            prev = self.verbs[at - 1]
            if prev.lo >= self.sentence(verb.lo) and verb.lo - prev.hi <= self.reach.verb:
                return self.out_of_scope(prev, depth - 1)
        return False

    def _reached(self, name: str, first: int, word: int, reach: int) -> bool:
        """A marker in the clause ends at most `reach` words before `word`."""
        found = _spans(self.marks, name)
        a = bisect_left(found.los, max(first, word - reach - 4))
        for hi in found.his[a : bisect_left(found.los, word, a)]:
            if 0 <= word - hi <= reach:
                return True
        return False

    def not_the_reader(self, verb: Hit, offers: bool) -> bool:
        """The subject right before the verb (auxiliaries skipped) is not the reader."""
        first, j = self.clause(verb.lo), verb.lo
        ends = self.ends
        aux = ends.get("auxiliaries", _NO_ENDS)
        while j > first and aux.get(j, -1) >= first:
            j = aux[j]
        for kind in ("agents", "passives", "speakers") if offers else ("agents", "passives"):
            if ends.get(kind, _NO_ENDS).get(j, -1) >= first:
                return True
        return False

    def third_party(self, verb: Hit) -> bool:
        """Given to someone else ("cho người khác"), and the speaker is not a recipient."""
        first, end = self.clause(verb.lo), self.clause_end(verb.lo)
        return self._any_in("third_party", verb.hi, end) and not self._any_in(
            "first_person", first, end
        )

    def has_cue(self, name: str, verb: Hit, after: bool) -> bool:
        """The verb's sentence (or, `after`, the words right after it) has the cue."""
        end = self.sentence_end(verb.lo)
        lo = verb.lo if after else self.sentence(verb.lo)
        hi = min(end, verb.hi + self.reach.cue) if after else end
        if self._any_in(name, lo, hi):
            return True
        symbols = self.symbols.get(name)
        if symbols:
            start, stop = self.words.starts[lo], self.words.ends[hi - 1]
            return any(self._symbol_within(s, start, stop) for s in symbols)
        return False

    def _symbol_within(self, symbol: str, start: int, stop: int) -> bool:
        """`symbol in text[start:stop]`, answered from the symbol's offsets, found once:
        a long sentence is not searched again for every verb in it."""
        found = self._found.get(symbol)
        if found is None:
            found = self._found[symbol] = _occurrences(self.text, symbol)
        k = bisect_left(found, start)
        return k < len(found) and found[k] + len(symbol) <= stop


def _spans(marks: Marks, name: str) -> Spans:
    return marks.get(name, NO_SPANS)


def _occurrences(text: str, symbol: str) -> list[int]:
    """Where the symbol starts in the text, overlapping occurrences included."""
    found, at = [], text.find(symbol)
    while at >= 0:
        found.append(at)
        at = text.find(symbol, at + 1)
    return found
