"""bench.drive, which bench.instructions counts: its requests must be the real ones."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, func, select

from app.store.tables import CheckRecord
from app.store.urls import sync_url
from bench.drive import REQUESTS_PER_ROUND, WARM_UP_CHECKS, drive, request


@pytest.mark.parametrize(("what", "rounds", "answered"), [("healthz", 3, 3), ("check8", 2, 16)])
async def test_drive_makes_the_requests_it_counts(
    app: FastAPI, database_url: str, what: str, rounds: int, answered: int
) -> None:
    statuses = await drive(what, rounds, app)
    assert statuses == [200] * answered
    # Every check went the whole way, its audit record written (warm-up ones included).
    checks = answered if what == "check8" else 0
    engine = create_engine(sync_url(database_url))
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(CheckRecord)).scalar_one()
    engine.dispose()
    assert stored == WARM_UP_CHECKS + checks


def test_an_unknown_kind_of_request_is_refused(app: FastAPI) -> None:
    for known in REQUESTS_PER_ROUND:  # every kind the counts divide by is one drive makes
        assert callable(request(app, known))
    with pytest.raises(SystemExit, match="healthz, check, check8"):
        request(app, "post")
