"""Patterns looked for only inside the words that can hold them."""

from __future__ import annotations

import re
from collections.abc import Iterator


def matches_in_words(
    pattern: re.Pattern[str], words: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """`pattern`'s matches in `text`, tried only inside the words `words` finds.

    For patterns that cannot match across a space and need a character most words lack
    (a link's dot between letters, an address's @): a pattern that opens with a look
    behind is otherwise tried at every position of the text. `words` must be anchored at
    the start of a word, `(?<!\\S)`, so each word is read once. Looked for from a word's
    start, a look behind sees the space before it, as it would in the whole text.
    """
    for word in words.finditer(text):
        yield from pattern.finditer(text, word.start(), word.end())
