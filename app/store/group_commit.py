"""Group commit: rows of append-only tables from concurrent requests, in one transaction."""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import anyio

from app.db import Database, is_unavailable, outages
from app.models import Base

log = logging.getLogger("thatgia.store")


@dataclass(eq=False, slots=True)
class _Row:
    model: type[Base]
    values: dict[str, Any]
    # Whether the row was committed. A future and a timer of the event loop rather than
    # anyio's Event and cancel scope: those cost ~0.1 ms a row, paid by every check.
    stored: asyncio.Future[bool]


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

    async def insert(self, model: type[Base], values: dict[str, Any]) -> bool:
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
        stored = False
        try:
            await self.database.insert_rows(
                [
                    (model.__table__, [row.values for row in rows])
                    for model, rows in groupby(batch, key=lambda row: row.model)
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
