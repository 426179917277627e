"""The engine's caches of what it works out from message words stay bounded."""

from __future__ import annotations

import pytest

from app.engine.reference.models import Reference
from app.engine.validators import bounded as B
from app.engine.validators.textlexicon import compiled


def test_a_full_cache_is_emptied_before_the_next_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(B, "CACHE_LIMIT", 3)
    cache: dict[str, int] = {}
    for n, key in enumerate("abc"):
        B.bounded(cache)[key] = n
    assert len(cache) == 3
    B.bounded(cache)["d"] = 3
    assert cache == {"d": 3}


def test_a_cache_below_its_limit_keeps_everything() -> None:
    cache = {str(n): n for n in range(10)}
    B.bounded(cache)["x"] = 10
    assert len(cache) == 11


def test_a_remembered_fact_is_worked_out_once() -> None:
    calls: list[str] = []

    def fact(key: str) -> int:
        calls.append(key)
        return len(key)

    table: B.Remembered[str, int] = B.Remembered(fact)
    assert table["abc"] == 3 and table["abc"] == 3
    assert calls == ["abc"]


def test_random_words_do_not_grow_the_readers_tables(
    reference: Reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(B, "CACHE_LIMIT", 50)
    norm = compiled(reference).norm
    tables = [v for v in vars(norm).values() if isinstance(v, dict)]
    before = [len(t) for t in tables]
    for n in range(400):
        norm.tokens(f"từ{n}x kẹo{n}y mã{n}")
    assert tables
    assert all(len(t) <= max(size, 50) for t, size in zip(tables, before, strict=True))
