"""The engine's caches of what it works out from message words stay bounded."""

from __future__ import annotations

import pytest

from app.engine.validators import bounded as B


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
