"""Group commit: writes that arrive while another is under way share the next transaction.

SQLite takes one writer at a time, so under load concurrent writes queue for the lock,
each paying for its own BEGIN and COMMIT. Here they queue for the next transaction
instead, which carries them all: no write waits longer than it would have, and the lock is
taken once per batch (PostgreSQL gains fewer commits too). The one batcher of the service:
the audit rows (app.store.group_commit) and the Zalo chatbot's writes (app.zalo.worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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
    """Items queued while a batch is being written make up the next batch; `commit` writes a
    batch and gives each item's result, or raises and every item's caller is told."""

    def __init__(
        self,
        commit: Callable[[list[Item]], Awaitable[list[Result]]],
        *,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._commit = commit
        self._max_batch = max_batch
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flusher: asyncio.Task[None] | None = None

    def enqueue(self, item: Item) -> asyncio.Future[Result]:
        """Queue `item`; the future of its result, set once its transaction has committed.
        A caller may settle it first (a timeout): the batch then leaves it as it is."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return future

    async def submit(self, item: Item) -> Result:
        """Queue `item`; its result once the transaction that wrote it has committed."""
        return await self.enqueue(item)

    async def drain(self) -> None:
        """Wait for queued writes (at shutdown)."""
        if self._flusher is not None:
            await asyncio.gather(self._flusher, return_exceptions=True)

    async def _flush(self) -> None:
        while self._queue:
            size = self._max_batch
            batch, self._queue = self._queue[:size], self._queue[size:]
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


def in_transaction(
    database: Callable[[], Database | None],
    write: Callable[[Connection, list[Item]], list[Result]],
) -> Callable[[list[Item]], Awaitable[list[Result]]]:
    """A batch's commit: `write` on one connection in one transaction of the database open
    at the time (looked up at each batch: the persistence lifecycle owns it)."""

    async def commit(items: list[Item]) -> list[Result]:
        opened = database()
        if opened is None:
            raise RuntimeError("the database is not open")
        return await opened.transaction(lambda conn: write(conn, items), len(items))

    return commit


def _each(conn: Connection, works: list[Work]) -> list[Any]:
    return [work(conn) for work in works]


class GroupWriter(Batcher[Work, Any]):
    """Any writes, each a function of the connection, run one after another in one transaction."""

    def __init__(self, database: Callable[[], Database | None]) -> None:
        super().__init__(in_transaction(database, _each))

    async def run(self, work: Callable[[Connection], T]) -> T:
        return cast(T, await self.submit(work))
