"""How many connections of an engine's pool are out: what a held connection shows as."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool


def checked_out(engine: Engine) -> int:
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()
