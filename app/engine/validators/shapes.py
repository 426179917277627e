"""Items recognised by their shape, not listed word for word in the lexicon: amounts
("500k", "2 triệu") and certificate vendors named "<name> CA"."""

from __future__ import annotations

from itertools import compress, repeat

from app.engine.validators.bounded import bounded
from app.engine.validators.hits import Hit, Label
from app.engine.validators.wordforms import NONE, Words

_DIGITS = "0123456789"
# What a word may start: nothing, an amount or a vendor, or (a number) an amount if a
# unit follows ("2 triệu"): most numbers in a message are phone numbers and codes.
_PLAIN, _SHAPED, _NUMBER, _UNKNOWN = 0, 1, 2, -1


class Shapes:
    """Amount units and the vendor suffix of one lexicon."""

    def __init__(
        self,
        units: frozenset[str],
        suffix: str,
        suffix_key: str,
        amount_labels: frozenset[Label],
        provider_labels: frozenset[Label],
    ) -> None:
        self.units = units  # keys of amount units ("k", "trieu", "vnd")
        self.suffix = suffix  # as written ("CA"): lower-case "ca" is a common word
        self.suffix_key = suffix_key
        self.amount_labels = amount_labels
        self.provider_labels = provider_labels
        # Per word key: whether an amount or a vendor may start there. Keys repeat from
        # message to message; reading this table is one C loop over the words.
        self._kinds: dict[str, int] = {}

    def candidates(self, keys: list[str]) -> list[int]:
        """The words where an amount or a vendor may start, in order."""
        kinds = list(map(self._kinds.get, keys, repeat(_UNKNOWN)))
        if _UNKNOWN in kinds:
            kinds = [self._kind(key) for key in keys]
        found = [
            i
            for i in compress(range(len(keys)), kinds)
            if kinds[i] == _SHAPED or (i + 1 < len(keys) and keys[i + 1] in self.units)
        ]
        # "<name> CA" starts before the suffix: add the word before each suffix word.
        before = [i - 1 for i in found if i and keys[i] == self.suffix_key]
        return sorted({*found, *before}) if before else found

    def _kind(self, key: str) -> int:
        """`_kind` of the key, remembered."""
        hit = self._kinds.get(key)
        if hit is None:
            hit = bounded(self._kinds)[key] = _kind(key, self.suffix_key)
        return hit

    def at(self, words: Words, text: str, i: int) -> Hit | None:
        """The amount or vendor starting at word i, if any."""
        keys = words.keys
        key, nxt = keys[i], i + 1
        joined = nxt < len(keys) and words.brks[nxt] == NONE  # the next word, in the clause
        if key[0].isdigit():
            unit = key.lstrip(_DIGITS)
            if unit in self.units:
                return Hit(i, i + 1, self.amount_labels)
            if not unit and joined and keys[nxt] in self.units:
                return Hit(i, i + 2, self.amount_labels)
        if key.endswith(self.suffix_key):
            written = text[words.starts[i] : words.ends[i]]
            if written.endswith(self.suffix) and written[: -len(self.suffix)].isalpha():
                return Hit(i, i + 1, self.provider_labels)
        if joined and keys[nxt] == self.suffix_key:
            if text[words.starts[nxt] : words.ends[nxt]] == self.suffix:
                return Hit(i, i + 2, self.provider_labels)
        return None


def _kind(key: str, suffix_key: str) -> int:
    """What a word of this key may start; `at` tells for sure."""
    if key.endswith(suffix_key):
        return _SHAPED
    if key[0].isdigit():
        return _SHAPED if key.lstrip(_DIGITS) else _NUMBER
    return _PLAIN
