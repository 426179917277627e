"""Scope markers that count: those that are not part of a word that means something else.

"không" in "không biết" negates nothing, "chỉ" in "địa chỉ" and "nên" in "không nên"
break no clause, and words inside a domain term ("thành" in "thành viên") carry no
grammar at all.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate

from app.engine.validators.hits import NO_SPANS, ONLY_TERMS, VERB_CLASSES, Hit, Marks


def scoped_marks(items: list[Hit], marks: Marks) -> Marks:
    """The markers that count, by name, each in word order."""
    kept = _outside_terms(items, marks)
    if not ("negators" in kept or "contrast" in kept or "clause_breaks" in kept):
        return kept
    taken = _Cover([h.lo for h in items], [h.hi for h in items])
    exceptions = kept.get("exceptions", NO_SPANS)
    excepted = _Cover(exceptions.los, exceptions.his)
    verbs_at = {h.lo: h.hi for h in items if VERB_CLASSES[h.labels]}
    negators = kept.get("negators", NO_SPANS)
    kept["negators"] = negating = negators.where(
        not excepted.touches(lo, hi)
        # Undiacritised "dung" is "đừng" before a verb ("dung gui"), else "dùng" (use).
        and (not taken.touches(lo, hi) or (verbs_at.get(lo) == hi and hi in verbs_at))
        for lo, hi in negators
    )
    negated = _Cover(negating.los, negating.his)
    for name in ("contrast", "clause_breaks"):
        found = kept.get(name, NO_SPANS)
        kept[name] = found.where(
            not taken.touches(lo, hi) and not negated.touches(lo, hi) for lo, hi in found
        )
    return kept


def _outside_terms(items: list[Hit], marks: Marks) -> Marks:
    """The markers less those strictly inside a domain term; the term itself may be
    one ("tin nhắn" is where a code is typed)."""
    # A term of one word holds no marker but itself: only longer ones are looked at.
    term_at = {
        i: h for h in items if h.hi - h.lo > 1 and ONLY_TERMS[h.labels] for i in range(h.lo, h.hi)
    }
    kept = dict(marks)
    for name, found in marks.items():
        if not term_at.keys().isdisjoint(found.los):  # most kinds have none in a term
            kept[name] = found.where(
                (term := term_at.get(lo)) is None or hi > term.hi or (lo, hi) == term[:2]
                for lo, hi in found
            )
    return kept


class _Cover:
    """Spans of words (in order of their first word), asked whether any touches a range."""

    def __init__(self, los: list[int], his: list[int]) -> None:
        self._starts = los
        self._reach = list(accumulate(his, max))  # the farthest end so far

    def touches(self, lo: int, hi: int) -> bool:
        """A span covers one of the words [lo, hi)."""
        k = bisect_left(self._starts, hi)  # the spans before k start before hi
        return k > 0 and self._reach[k - 1] > lo
