"""The database: engine and sessions on SQLite or PostgreSQL, and what an outage looks like."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from urllib.parse import quote

import anyio
from fastapi import Depends, Request
from sqlalchemy import Engine, event, text
from sqlalchemy import create_engine as _create_sync_engine
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from app.config import Settings
from app.errors import ServiceUnavailable
from app.store.lookup import CoreLookup, Lookup, SqliteLookup

T = TypeVar("T")

if TYPE_CHECKING:
    from app.store.group_commit import GroupCommit

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


def _url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql")
    return parsed


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    parsed = _url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "").expanduser().resolve()


def sync_url(url: str) -> URL:
    """The URL Alembic and the CLI use: the synchronous driver of the same database."""
    parsed = _url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    return parsed.set(drivername="sqlite")


def async_url(url: str) -> URL:
    """The URL the service uses. A SQLite file is opened read-write but never created:
    only the migrations create it, so a missing file is an outage, not an empty database."""
    parsed = _url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    path = sqlite_path(url)
    if path is None:
        return parsed.set(drivername="sqlite+aiosqlite")
    return parsed.set(
        drivername="sqlite+aiosqlite",
        database=f"file:{quote(str(path))}",
        query={"mode": "rw", "uri": "true"},
    )


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _tune_sqlite(sync_engine: Engine, path: Path, timeout: float) -> None:

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # SQLAlchemy, not the driver, begins transactions, so writers can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            f"busy_timeout={int(timeout * 1000)}",
            "synchronous=NORMAL",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        record.info["file_id"] = _file_id(path)

    @event.listens_for(sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        # An open SQLite handle keeps writing into a file that was deleted or moved away:
        # a silent loss. A pooled handle is only reused while its file is still in place.
        if _file_id(path) != record.info.get("file_id"):
            raise DisconnectionError(f"the database file {path} was moved or removed")

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front: a deferred transaction that read first
        # fails with SQLITE_BUSY instead of waiting when another writer got there before.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
        _tune_sqlite(engine.sync_engine, path, timeout)
    return engine


# How long a look-up may wait on SQLite's lock. Readers of a WAL database wait only in rare
# cases (another process recovering the file); the event loop must not wait with them.
READER_BUSY_TIMEOUT = 0.25


def create_sqlite_reader(settings: Settings) -> Engine | None:
    """A synchronous engine on the same SQLite file, for look-ups run on the event loop.

    A check's look-ups are two indexed SELECTs on a WAL database: ~0.03 ms on the driver's
    connection (app.store.lookup); through aiosqlite every statement, fetch, BEGIN and
    ROLLBACK is a hop to its thread and back (~2 ms), and even one hop to a worker costs
    more than the look-ups themselves.
    """
    path = sqlite_path(settings.database_url)
    if path is None:
        return None
    engine = _create_sync_engine(
        sync_url(settings.database_url), pool_timeout=settings.database_timeout
    )
    _tune_sqlite(engine, path, min(settings.database_timeout, READER_BUSY_TIMEOUT))
    return engine


class Database:
    """One engine per process; short sessions; on SQLite one writer at a time."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        self.engine = create_engine(settings)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sync_reader = create_sqlite_reader(settings)
        writer = self.engine.execution_options(sqlite_immediate=True)
        self._readers = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writers = async_sessionmaker(writer, expire_on_commit=False)
        # Writers on one SQLite file queue here instead of sleeping in SQLite's busy loop;
        # other processes are still handled by the busy timeout.
        self._write_lock = anyio.Lock()
        # Set while the application runs (app.store.lifecycle): batches append-only rows.
        self.group_commit: GroupCommit | None = None

    async def read(self, query: Callable[[Lookup], T]) -> T:
        """Run a short read-only function of a look-up (app.store.lookup): on SQLite right
        here, on the driver's connection (see create_sqlite_reader); on PostgreSQL on the
        async driver's connection."""
        reader = self._sync_reader
        if reader is None:
            async with self.engine.connect() as conn:
                return await conn.run_sync(lambda sync: query(CoreLookup(sync)))
        connection = reader.raw_connection()
        try:
            return query(SqliteLookup(connection.driver_connection))
        finally:
            connection.close()

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
        if self._sync_reader is not None:
            self._sync_reader.dispose()


@contextlib.contextmanager
def unavailable_as_503() -> Iterator[None]:
    """Turn an unreachable database into a 503 with Retry-After (never a 500)."""
    try:
        yield
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        outages.warning("request", "database unavailable, answered 503: %s", exc)
        raise ServiceUnavailable(
            "The database is unreachable; nothing was recorded. Try again shortly.",
            retry_after=RETRY_AFTER_SECONDS,
        ) from exc


def get_database(request: Request) -> Database:
    database: Database | None = request.app.state.services.database
    if database is None:
        raise ServiceUnavailable("The database is not open yet.", retry_after=5)
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    with unavailable_as_503():
        async with get_database(request).session() as session:
            yield session


async def get_write_session(request: Request) -> AsyncIterator[AsyncSession]:
    with unavailable_as_503():
        async with get_database(request).write_session() as session:
            yield session


async def database_dependency(request: Request) -> Database:
    # async: a plain def dependency would cost a thread-pool hop per request.
    return get_database(request)


DatabaseDep = Annotated[Database, Depends(database_dependency)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
WriteSessionDep = Annotated[AsyncSession, Depends(get_write_session)]
