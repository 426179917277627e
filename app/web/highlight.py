"""Split a pasted message into plain and highlighted pieces from the findings' spans.

Spans may overlap (one phrase can be both a link and an install request): the text is cut
at every span boundary and each piece remembers every finding that covers it, so nothing is
highlighted twice and nothing is lost. The pieces are plain strings; the template escapes
them, so the pasted text can never become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from app.engine.findings import Severity

_RANK = {Severity.DANGER: 3, Severity.WARNING: 2, Severity.INFO: 1}


@dataclass(frozen=True, slots=True)
class Marked:
    """A finding located in the message: its number in the list, severity and span."""

    number: int
    severity: Severity
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    numbers: tuple[int, ...] = ()
    severity: Severity | None = None  # the gravest finding covering this piece

    @property
    def marked(self) -> bool:
        return bool(self.numbers)


def _valid(mark: Marked, length: int) -> bool:
    return 0 <= mark.start < mark.end <= length


def pieces(message: str, marks: Sequence[Marked]) -> list[Piece]:
    """The message cut into pieces; a piece is marked when at least one span covers it."""
    usable = [m for m in marks if _valid(m, len(message))]
    cuts = sorted({0, len(message), *(m.start for m in usable), *(m.end for m in usable)})
    result: list[Piece] = []
    # Every cut is where some span begins or ends, so neighbouring pieces always differ.
    for start, end in pairwise(cuts):
        covering = [m for m in usable if m.start <= start and end <= m.end]
        if not covering:
            result.append(Piece(message[start:end]))
            continue
        gravest = max(covering, key=lambda m: _RANK[m.severity]).severity
        numbers = tuple(sorted({m.number for m in covering}))
        result.append(Piece(message[start:end], numbers, gravest))
    return result
