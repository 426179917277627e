"""Caches of what the engine works out from the words of messages, bounded: anyone can
send text, and a cache keyed by its words must not grow without end. Each is emptied
when full; what was in it is worked out again when next needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

# Entries a cache keeps before it is emptied: a language's words and their forms fit
# many times over; random text empties it now and then.
CACHE_LIMIT = 50_000
_K = TypeVar("_K")
_V = TypeVar("_V")


def full(cache: dict[_K, _V]) -> bool:
    return len(cache) >= CACHE_LIMIT


def bounded(cache: dict[_K, _V]) -> dict[_K, _V]:
    """The cache, emptied first if full: `bounded(cache)[key] = value`."""
    if full(cache):
        cache.clear()
    return cache


class Remembered(dict[_K, _V]):
    """A fact about a key, worked out once by `fact` and kept (`table[key]` is then a plain
    dict look-up), the table emptied when full."""

    def __init__(self, fact: Callable[[_K], _V]) -> None:
        super().__init__()
        self._fact = fact

    def __missing__(self, key: _K) -> _V:
        value = bounded(self)[key] = self._fact(key)
        return value
