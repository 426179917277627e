"""What a scan of a message yields: hits of lexicon items, the labels they carry, and
the spans of scope markers; with the facts about a set of labels the grammar asks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress
from typing import NamedTuple

from app.engine.validators.bounded import Remembered

Label = tuple[str, int, str]  # kind ("verb", "obj", "cue", …), request group, name


@dataclass(slots=True)
class Spans:
    """Word ranges [lo, hi) of one kind of marker, in order of lo, as two lists of ints:
    a long message has thousands of markers, and a tuple each keeps the collector busy."""

    los: list[int] = field(default_factory=list)
    his: list[int] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.los, self.his, strict=True)

    def __len__(self) -> int:
        return len(self.los)

    def where(self, keep: Iterable[bool]) -> Spans:
        """The spans for which `keep` (one flag a span, in order) is true."""
        keep = list(keep)
        return Spans(list(compress(self.los, keep)), list(compress(self.his, keep)))


Marks = dict[str, Spans]  # cue name -> where it is
NO_SPANS = Spans()  # of a kind the message lacks; never changed


class Hit(NamedTuple):
    """Words [lo, hi) matched a phrase carrying `labels`."""

    lo: int
    hi: int
    labels: frozenset[Label]


# The verb classes among a hit's labels; empty if the hit is no verb.
VERB_CLASSES: Remembered[frozenset[Label], frozenset[str]] = Remembered(
    lambda labels: frozenset(n for kind, _, n in labels if kind == "verb")
)
# The hit is a neutral domain term and nothing else ("thành viên", "nhà cung cấp").
ONLY_TERMS: Remembered[frozenset[Label], bool] = Remembered(
    lambda labels: all(kind == "neutral" for kind, _, _ in labels)
)
# The object and standalone labels of a hit, in a fixed order: what it may be asked for.
REQUESTED: Remembered[frozenset[Label], tuple[Label, ...]] = Remembered(
    lambda labels: tuple(label for label in sorted(labels) if label[0] in ("obj", "std"))
)
