"""A Unicode TR39-style skeleton: strings that look alike map to the same skeleton.

The confusable classes come from the Unicode confusables data shipped by
confusable-homoglyphs; each non-ASCII character maps to an ASCII look-alike when it has
one, then the usual ASCII tricks (0/o, 1/l, rn/m, vv/w) fold together.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

_ASCII_FOLDS = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("|", "l"), ("i", "l"))


def _ascii_lookalike(char: str) -> str | None:
    candidates = [
        glyph["c"]
        for glyph in confusables.confusables_data.get(char, [])
        if glyph["c"].isascii() and glyph["c"].isprintable() and len(glyph["c"]) <= 2
    ]
    if not candidates:
        return None
    # Prefer letters, then digits, then the rest; lower case; shortest; stable.
    best: str = sorted(candidates, key=lambda c: (not c.isalpha(), not c.islower(), len(c), c))[0]
    return best


@lru_cache(maxsize=8192)
def _map_char(char: str) -> str:
    if char.isascii():
        return char
    base = unicodedata.normalize("NFKD", char)
    if base.isascii() and base.strip():
        return base
    return _ascii_lookalike(char) or char


@lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """Fold a string to the form under which look-alike strings are equal."""
    mapped = "".join(_map_char(ch) for ch in unicodedata.normalize("NFKC", text))
    folded = unicodedata.normalize("NFKD", mapped).encode("ascii", "ignore").decode()
    folded = folded.lower() if folded else mapped.lower()
    for pattern, replacement in _ASCII_FOLDS:
        folded = folded.replace(pattern, replacement)
    return folded


def has_non_ascii(text: str) -> bool:
    return not text.isascii()
