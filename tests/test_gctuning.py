"""A served application freezes what start-up built and collects garbage less often."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from app.gctuning import FIRST_THRESHOLD


async def test_after_start_up_the_collector_is_tuned_for_serving(app: FastAPI) -> None:
    async with app.router.lifespan_context(app):
        assert gc.get_threshold()[0] == FIRST_THRESHOLD
        assert gc.get_freeze_count() > 100_000  # the lexicon, the schemas, the ORM, …
