"""Group commit: rows of append-only tables from concurrent requests, in one transaction."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import anyio

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
    # Whether the row was committed. A future and a timer of the event loop rather than
    # anyio's Event and cancel scope: those cost ~0.1 ms a row, paid by every check.
    stored: asyncio.Future[bool]


def _values(row: _Row) -> dict[str, Any] | None:
    """The row's values, worked out if it holds a function; None (and its caller told that
    nothing was stored) if that failed, so one bad row cannot sink the batch."""
    if not callable(row.values):
        return row.values
    try:
        return row.values()
    except Exception:
        log.exception("a row could not be worked out; it is not stored")
        _settle(row, False)
        return None


def _settle(row: _Row, stored: bool) -> None:
    if not row.stored.done():
        row.stored.set_result(stored)


class GroupCommit:
    """Each caller still waits for the commit of its own row, so what it reports is true;
    under load one transaction (one fsync) carries many rows instead of one each."""

    def __init__(self, database: Database, *, timeout: float, max_rows: int = 256) -> None:
        self.database = database
        self.timeout = timeout
        self.max_rows = max_rows
        self._send, self._receive = anyio.create_memory_object_stream[_Row](math.inf)

    async def insert(self, model: type[Base], values: Values) -> bool:
        """Queue a row and wait for its transaction; whether it was committed."""
        loop = asyncio.get_running_loop()
        row = _Row(model, values, loop.create_future())
        try:
            self._send.send_nowait(row)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            return False
        # Past the timeout the row may still be written; the caller is told it was not.
        timer = loop.call_later(self.timeout, _settle, row, False)
        try:
            return await row.stored
        finally:
            timer.cancel()

    async def run(self) -> None:
        """Write queued rows until closed, then the rest of the queue."""
        async with self._receive:
            async for first in self._receive:
                batch = [first]
                while len(batch) < self.max_rows:
                    try:
                        batch.append(self._receive.receive_nowait())
                    except (anyio.WouldBlock, anyio.EndOfStream):
                        break
                await self._commit(batch)

    def close(self) -> None:
        self._send.close()

    async def _commit(self, batch: list[_Row]) -> None:
        ready = [(row, values) for row in batch if (values := _values(row)) is not None]
        if not ready:
            return
        batch = [row for row, _ in ready]
        stored = False
        try:
            await self.database.insert_rows(
                [
                    (model.__table__, [values for _, values in rows])
                    for model, rows in groupby(ready, key=lambda pair: pair[0].model)
                ]
            )
            stored = True
        except Exception as exc:
            # The writer must outlive a failed batch; a bug still shows with its traceback.
            if is_unavailable(exc):
                outages.warning("remember", "records not written (stored=false): %s", exc)
            else:
                log.exception("records of %d requests could not be written", len(batch))
        for row in batch:
            _settle(row, stored)
