"""Group commit: rows of append-only tables from concurrent requests, in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from app.store.batcher import Batcher
from app.store.database import Database, is_unavailable, outages
from app.store.tables import Base

log = logging.getLogger("thatgia.store")


# A row's column values, or a function that works them out: called by the writer with the
# rest of its batch, back to back, where the same code and data stay in the CPU's caches
# (an audit record cost twice as much built between two checks as built eight in a row).
Values = dict[str, Any] | Callable[[], dict[str, Any]]


@dataclass(eq=False, slots=True)
class _Row:
    model: type[Base]
    values: Values


def _values(row: _Row) -> dict[str, Any] | None:
    """The row's values, worked out if it holds a function; None (and its caller told that
    nothing was stored) if that failed, so one bad row cannot sink the batch."""
    if not callable(row.values):
        return row.values
    try:
        return row.values()
    except Exception:
        log.exception("a row could not be worked out; it is not stored")
        return None


def _settle(stored: asyncio.Future[bool], value: bool) -> None:
    if not stored.done():
        stored.set_result(value)


class GroupCommit:
    """Each caller still waits for the commit of its own row, so what it reports is true;
    under load one transaction (one fsync) carries many rows instead of one each. Rows
    queue in the service's one batcher (app.store.batcher); a failed batch reports its rows
    unstored rather than raising, so a check still answers."""

    def __init__(self, database: Database, *, timeout: float, max_rows: int = 256) -> None:
        self.database = database
        self.timeout = timeout
        self._batcher = Batcher[_Row, bool](self._commit, max_batch=max_rows)
        self._closed = asyncio.Event()

    async def insert(self, model: type[Base], values: Values) -> bool:
        """Queue a row and wait for its transaction; whether it was committed."""
        if self._closed.is_set():
            return False
        stored = self._batcher.enqueue(_Row(model, values))
        # Past the timeout the row may still be written; the caller is told it was not. A
        # timer of the event loop rather than anyio's cancel scope: that cost ~0.1 ms a row,
        # paid by every check.
        timer = asyncio.get_running_loop().call_later(self.timeout, _settle, stored, False)
        try:
            return await stored
        finally:
            timer.cancel()

    async def run(self) -> None:
        """Until closed; then what is queued is written before it returns."""
        await self._closed.wait()
        await self._batcher.drain()

    def close(self) -> None:
        self._closed.set()

    async def _commit(self, batch: list[_Row]) -> list[bool]:
        ready = [(index, row, values) for index, row in enumerate(batch)
                 if (values := _values(row)) is not None]  # fmt: skip
        stored = [False] * len(batch)
        if not ready:
            return stored
        try:
            await self.database.insert_rows(
                [
                    (model.__table__, [values for _, _, values in rows])
                    for model, rows in groupby(ready, key=lambda item: item[1].model)
                ]
            )
        except Exception as exc:
            # The writer must outlive a failed batch; a bug still shows with its traceback.
            if is_unavailable(exc):
                outages.warning("remember", "records not written (stored=false): %s", exc)
            else:
                log.exception("records of %d requests could not be written", len(batch))
            return stored
        for index, _, _ in ready:
            stored[index] = True
        return stored
