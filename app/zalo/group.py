"""Group commit: writes that arrive while another is under way share the next transaction.

SQLite takes one writer at a time, so under load the webhook's inserts and the worker's
updates queue for the lock, each paying for its own BEGIN and COMMIT. Here they queue for
the next transaction instead, which carries them all: no write waits longer than it would
have, and the lock is taken once per batch. (PostgreSQL gains fewer commits too.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from sqlalchemy.engine import Connection

from app.store.database import Database

T = TypeVar("T")
Item = TypeVar("Item")
Result = TypeVar("Result")
Work = Callable[[Connection], Any]  # a write, run in the batch's transaction

# Bounds a transaction's length, so one batch never holds the lock for long.
MAX_BATCH = 100


class Batcher(Generic[Item, Result]):
    """Items queued while a batch is being written make up the next batch."""

    def __init__(
        self,
        database: Callable[[], Database | None],
        write: Callable[[Connection, list[Item]], list[Result]],
    ) -> None:
        self._database = database
        self._write = write
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Queue `item`; its result once the transaction that wrote it has committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def drain(self) -> None:
        """Wait for queued writes (at shutdown)."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            try:
                results = await self._commit([item for item, _ in batch])
            except Exception as exc:  # the transaction rolled back: every caller is told
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # its caller may have gone (client disconnected)
                    future.set_result(result)

    async def _commit(self, items: list[Item]) -> list[Result]:
        database = self._database()
        if database is None:
            raise RuntimeError("the database is not open")
        return await database.transaction(lambda conn: self._write(conn, items), len(items))


def _each(conn: Connection, works: list[Work]) -> list[Any]:
    return [work(conn) for work in works]


class GroupWriter(Batcher[Work, Any]):
    """Any writes, each a function of the connection, run one after another in one transaction."""

    def __init__(self, database: Callable[[], Database | None]) -> None:
        super().__init__(database, _each)

    async def run(self, work: Callable[[Connection], T]) -> T:
        return cast(T, await self.submit(work))
