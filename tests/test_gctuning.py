"""A served application freezes what start-up built and collects garbage less often."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from app.gctuning import FIRST_THRESHOLD


@pytest.fixture
def untuned(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The collector as a new process has it, whatever earlier tests in this one did."""
    threshold = gc.get_threshold()
    monkeypatch.setattr("app.gctuning._done", False)
    gc.unfreeze()
    gc.set_threshold(700, *threshold[1:])
    yield
    gc.set_threshold(*threshold)


async def test_after_start_up_the_collector_is_tuned_for_serving(
    app: FastAPI, untuned: None
) -> None:
    assert gc.get_threshold()[0] == 700 and gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        assert gc.get_threshold()[0] == FIRST_THRESHOLD
        assert gc.get_freeze_count() > 100_000  # the lexicon, the schemas, the ORM, …
