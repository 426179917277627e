"""SQLite's connections, tuned, and the synchronous engines of the check's two paths.

The service talks to SQLite through aiosqlite, which hops to its thread for every
statement, fetch, BEGIN and COMMIT. What every check does gets an engine of its own on
the plain driver: the look-ups, run on the event loop (app.store.lookup), and the writes
that must be cheap, the audit rows and the Zalo inbox and outbox (app.store.sqlitewrite).

What these engines buy (README, Performance): with aiosqlite alone, POST /v1/check served
0.47 times the checks a second at 2.1 times the server CPU per check (1.36 -> 2.86 ms;
wrk, alternating slices of both servers in one run). tests/store/test_lookup.py holds the
driver's look-ups to Core's rows; on PostgreSQL, and with these engines absent, the same
functions of app.store.database.Database run through the async engine.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as _create_sync_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError

from app.config import Settings
from app.store.urls import sqlite_path, sync_url


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def tune_sqlite(
    sync_engine: Engine, path: Path, timeout: float, *, checkpoints: bool = True
) -> None:

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # SQLAlchemy, not the driver, begins transactions, so writers can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (  # the timeout first: switching to WAL may wait for the lock too
            f"busy_timeout={int(timeout * 1000)}",
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            *(() if checkpoints else ("wal_autocheckpoint=0",)),
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
        # On the driver's cursor: through exec_driver_sql the BEGIN cost as much as a
        # small write's whole transaction.
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        finally:
            cursor.close()


# How long a look-up may wait on SQLite's lock. Readers of a WAL database wait only in rare
# cases (another process recovering the file); the event loop must not wait with them.
READER_BUSY_TIMEOUT = 0.25


def _sync_engine(
    settings: Settings, busy_timeout: float, *, checkpoints: bool = True
) -> Engine | None:
    """A tuned synchronous engine on the settings' SQLite file (None for PostgreSQL)."""
    path = sqlite_path(settings.database_url)
    if path is None:
        return None
    url = sync_url(settings.database_url)
    engine = _create_sync_engine(url, pool_timeout=settings.database_timeout)
    tune_sqlite(engine, path, busy_timeout, checkpoints=checkpoints)
    return engine


def create_sqlite_reader(settings: Settings) -> HeldReader | None:
    """A synchronous connection on the same SQLite file, for look-ups run on the event loop.

    A check's look-ups are two indexed SELECTs on a WAL database: ~0.03 ms on the driver's
    connection (app.store.lookup); through aiosqlite every statement, fetch, BEGIN and
    ROLLBACK is a hop to its thread and back (~2 ms), and even one hop to a worker costs
    more than the look-ups themselves.
    """
    engine = _sync_engine(settings, min(settings.database_timeout, READER_BUSY_TIMEOUT))
    path = sqlite_path(settings.database_url)
    return None if engine is None or path is None else HeldReader(engine, path)


class _Handle(Protocol):
    @property
    def info(self) -> dict[Any, Any]: ...

    def close(self) -> None: ...


H = TypeVar("H", bound=_Handle)


class HeldConnection(Generic[H]):
    """One connection kept checked out for the thread that first asks (the event loop's):
    what it does on every check (look-ups, audit rows) would otherwise pay a checkout and
    a checkin through the pool (its events, the reset on return) each time, more than the
    statements themselves.

    The guard of a pooled handle still holds: before each use the file must be the one the
    connection opened (see tune_sqlite); if it is not, or after a failure, the connection
    goes back to the pool, whose checkout guards the next one. Other threads use the pool.
    """

    def __init__(self, connect: Callable[[], H], path: Path) -> None:
        self.connect = connect
        self.path = path
        self._held: H | None = None
        self._owner: int | None = None

    def acquire(self) -> H:
        """The held connection for its thread, a pooled one for any other: give it back
        with `release`, or with `discard` after a failure."""
        if self._owner not in (None, threading.get_ident()):
            return self.connect()
        held = self._held
        if held is not None and _file_id(self.path) != held.info.get("file_id"):
            self.discard(held)
            held = None
        if held is None:
            held = self.connect()
            self._held, self._owner = held, threading.get_ident()
        return held

    def release(self, handle: H) -> None:
        if handle is not self._held:
            handle.close()

    def discard(self, handle: H) -> None:
        """Give a connection back to the pool: the next use checks one out anew."""
        if handle is self._held:
            self._held = self._owner = None
        handle.close()

    def close(self) -> None:
        if self._held is not None:
            self.discard(self._held)


class HeldReader:
    """The reader engine and the connection its look-ups keep (HeldConnection)."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.connection = HeldConnection(engine.raw_connection, path)

    def dispose(self) -> None:
        self.connection.close()
        self.engine.dispose()


class WriterEngines(NamedTuple):
    """The engines of app.store.sqlitewrite.SqliteWriter, and the file they write."""

    waiting: Engine  # waits the busy timeout for the lock, from a worker thread
    immediate: Engine  # neither waits nor checkpoints, for writes made on the event loop
    path: Path


def create_sqlite_writers(settings: Settings) -> WriterEngines | None:
    """The engines of the writes of app.store.sqlitewrite (None for PostgreSQL)."""
    waiting = _sync_engine(settings, settings.database_timeout)
    immediate = _sync_engine(settings, 0, checkpoints=False)
    path = sqlite_path(settings.database_url)
    if waiting is None or immediate is None or path is None:
        return None
    return WriterEngines(waiting, immediate, path)
