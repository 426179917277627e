"""SQLite's connections, tuned, and the synchronous engines of the check's two paths.

The service talks to SQLite through aiosqlite, which hops to its thread for every
statement, fetch, BEGIN and COMMIT. What every check does gets an engine of its own on
the plain driver: the look-ups, run on the event loop (app.store.lookup), and the writes
that must be cheap, the audit rows and the Zalo inbox and outbox (app.store.sqlitewrite).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as _create_sync_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import PoolProxiedConnection

from app.config import Settings
from app.dburls import sqlite_path, sync_url


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


class HeldReader:
    """One connection of the reader engine, kept checked out for the look-ups of the thread
    that first asked (the event loop's): under load a checkout and a checkin through the
    pool (its events, the reset on return) cost more than a check's two SELECTs.

    The guard of a pooled handle still holds: before each use the file must be the one
    the connection opened (see tune_sqlite); if it is not, the handle is dropped and the
    pool asked again, which fails as it would for any checkout. Other threads use the pool.
    """

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path
        self._held: PoolProxiedConnection | None = None
        self._owner: int | None = None

    def acquire(self) -> PoolProxiedConnection:
        """The held connection for its thread, a pooled one for any other: give it back
        with `release`, or with `discard` after a failure."""
        if self._owner not in (None, threading.get_ident()):
            return self.engine.raw_connection()
        held = self._held
        if held is not None and _file_id(self.path) != held.info.get("file_id"):
            self.discard(held)
            held = None
        if held is None:
            held = self.engine.raw_connection()
            self._held, self._owner = held, threading.get_ident()
        return held

    def release(self, connection: PoolProxiedConnection) -> None:
        if connection is not self._held:
            connection.close()

    def discard(self, connection: PoolProxiedConnection) -> None:
        """Drop a connection that failed (or whose file moved): the next use opens anew."""
        if connection is self._held:
            self._held = self._owner = None
        connection.invalidate()

    def dispose(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = self._owner = None
        self.engine.dispose()


def create_sqlite_writers(settings: Settings) -> tuple[Engine, Engine] | None:
    """The engines of the writes of app.store.sqlitewrite: one that waits the
    busy timeout for the lock, from a worker thread; one that neither waits nor
    checkpoints, for writes made on the event loop."""
    waiting = _sync_engine(settings, settings.database_timeout)
    immediate = _sync_engine(settings, 0, checkpoints=False)
    if waiting is None or immediate is None:
        return None
    return waiting, immediate
