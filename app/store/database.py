"""The database: engine and sessions on SQLite or PostgreSQL, and what an outage looks like."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial
from typing import Any, Protocol, TypeVar

import anyio
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from app.config import Settings
from app.store.errors import Unavailable
from app.store.lookup import CoreLookup, Lookup, SqliteLookup
from app.store.rowwriter import Batch, RowInserts
from app.store.sqlite import create_sqlite_reader, create_sqlite_writers, tune_sqlite
from app.store.sqlitewrite import LockHeld, SqliteWriter, Work
from app.store.urls import async_url, sqlite_path

T = TypeVar("T")


class RowBatcher(Protocol):
    """Writes rows of append-only tables in batches (app.store.group_commit, which uses
    this module: typed here by what it does, not by its class, so the two do not import
    each other)."""

    async def insert(self, model: type[Any], values: Any) -> bool:
        """Queue a row and wait for its transaction; whether it was committed."""
        ...


log = logging.getLogger("thatgia.db")

# What "the database is not there" looks like, whatever the driver: refused or dropped
# connections, a file that cannot be opened, a pool that cannot hand out a connection.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeout,
    TimeoutError,
    OSError,
    # Raised as the driver raises it by look-ups on the driver's connection (app.store.lookup).
    sqlite3.OperationalError,
)
RETRY_AFTER_SECONDS = 15
PROBE_TIMEOUT_SECONDS = 2.0


class OutageLog:
    """At most one warning per interval and kind: an outage under load must not flood the log
    (nor fill a pipe nobody reads), yet the first failure is reported at once."""

    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self._next: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def warning(self, kind: str, message: str, *args: object) -> None:
        now = time.monotonic()
        if now < self._next.get(kind, 0.0):
            self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
            return
        suppressed = self._suppressed.pop(kind, 0)
        if suppressed:
            message += " (and %d more since the last report)"
            args = (*args, suppressed)
        log.warning(message, *args)
        self._next[kind] = now + self.interval


outages = OutageLog()


def is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, UNAVAILABLE)


def create_engine(settings: Settings) -> AsyncEngine:
    url = async_url(settings.database_url)
    timeout = settings.database_timeout
    if url.get_backend_name() == "postgresql":
        return _create_async_engine(
            url,
            pool_size=10,
            max_overflow=10,
            pool_timeout=timeout,
            connect_args={"connect_timeout": max(2, round(timeout))},
        )
    engine = _create_async_engine(url, pool_timeout=timeout)
    path = sqlite_path(settings.database_url)
    if path is not None:
        tune_sqlite(engine.sync_engine, path, timeout)
    return engine


class Database:
    """One engine per process; short sessions; on SQLite one writer at a time."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.engine = create_engine(settings)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.sqlite_reader = create_sqlite_reader(settings)
        writers = create_sqlite_writers(settings)
        self._sqlite_writer = SqliteWriter(*writers) if writers else None
        self._row_inserts = RowInserts(self.engine.sync_engine.dialect)
        writer = self.engine.execution_options(sqlite_immediate=True)
        self._readers = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writers = async_sessionmaker(writer, expire_on_commit=False)
        # Writers on one SQLite file queue here instead of sleeping in SQLite's busy loop;
        # other processes are still handled by the busy timeout.
        self._write_lock = anyio.Lock()
        # Set while the application runs (app.store.lifecycle): batches append-only rows.
        self.group_commit: RowBatcher | None = None

    async def read(self, query: Callable[[Lookup], T]) -> T:
        """Run a short read-only function of a look-up (app.store.lookup): on SQLite right
        here, on the driver's connection (see create_sqlite_reader); on PostgreSQL on the
        async driver's connection."""
        reader = self.sqlite_reader
        if reader is None:
            async with self.engine.connect() as conn:
                return await conn.run_sync(lambda sync: query(CoreLookup(sync)))
        held = reader.connection
        connection = held.acquire()
        try:
            found = query(SqliteLookup(connection.driver_connection))
        except BaseException:
            held.discard(connection)
            raise
        held.release(connection)
        return found

    async def transaction(self, work: Work[T], rows: int = 1) -> T:
        """Run a write, a function of a synchronous connection, in one transaction: on
        SQLite on the event loop when the lock is free, else in a worker thread
        (app.store.sqlitewrite); on PostgreSQL through the async driver (run_sync)."""
        writer = self._sqlite_writer
        if writer is None:
            async with self.engine.begin() as conn:
                return await conn.run_sync(work)
        try:
            result = writer.run_now(work, rows)
        except LockHeld:
            result = await anyio.to_thread.run_sync(writer.run, work, rows)
        if writer.checkpoint_due():
            await anyio.to_thread.run_sync(writer.checkpoint)
        return result

    async def insert_rows(self, batches: Batch) -> None:
        """Insert rows into append-only tables, all in one transaction: on SQLite through
        the driver (app.store.rowwriter), on PostgreSQL as Core."""
        if self._sqlite_writer is not None:
            count = sum(len(rows) for _, rows in batches)
            await self.transaction(partial(self._row_inserts.write, batches=batches), count)
            return
        async with self.engine.begin() as conn:
            for table, rows in batches:
                await conn.execute(insert(table), rows)

    def session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session for reading (and writes that need no lock ordering)."""
        return self._readers()

    @asynccontextmanager
    async def write_session(self) -> AsyncIterator[AsyncSession]:
        """A session for a transaction that reads, then writes."""
        lock = self._write_lock if self.is_sqlite else contextlib.nullcontext()
        async with lock, self._writers() as session:
            yield session

    async def ping(self) -> bool:
        """Reachable and migrated, within a short time."""
        try:
            with anyio.fail_after(PROBE_TIMEOUT_SECONDS):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT version_num FROM alembic_version"))
            return True
        except Exception as exc:  # any failure means not ready; the reason goes to the log
            outages.warning("probe", "database probe failed: %s", exc)
            return False

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.sqlite_reader is not None:
            self.sqlite_reader.dispose()
        if self._sqlite_writer is not None:
            self._sqlite_writer.dispose()


@contextlib.contextmanager
def outage_as_unavailable() -> Iterator[None]:
    """Turn an unreachable database, whatever the driver says, into the store's Unavailable
    with a time to wait: every adapter can then answer an outage as one, never as a bug."""
    try:
        yield
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        outages.warning("request", "database unavailable, request refused: %s", exc)
        raise Unavailable(
            "The database is unreachable; nothing was recorded. Try again shortly.",
            retry_after=RETRY_AFTER_SECONDS,
        ) from exc
