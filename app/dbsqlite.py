"""SQLite's connections, tuned, and the synchronous engines of the check's two paths.

The service talks to SQLite through aiosqlite, which hops to its thread for every
statement, fetch, BEGIN and COMMIT. What every check does gets an engine of its own on
the plain driver: the look-ups, run on the event loop (app.store.lookup), and the writes
that must be cheap, the audit rows and the Zalo inbox and outbox (app.store.sqlitewrite).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as _create_sync_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError

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


def create_sqlite_reader(settings: Settings) -> Engine | None:
    """A synchronous engine on the same SQLite file, for look-ups run on the event loop.

    A check's look-ups are two indexed SELECTs on a WAL database: ~0.03 ms on the driver's
    connection (app.store.lookup); through aiosqlite every statement, fetch, BEGIN and
    ROLLBACK is a hop to its thread and back (~2 ms), and even one hop to a worker costs
    more than the look-ups themselves.
    """
    return _sync_engine(settings, min(settings.database_timeout, READER_BUSY_TIMEOUT))


def create_sqlite_writers(settings: Settings) -> tuple[Engine, Engine] | None:
    """The engines of the writes of app.store.sqlitewrite: one that waits the
    busy timeout for the lock, from a worker thread; one that neither waits nor
    checkpoints, for writes made on the event loop."""
    waiting = _sync_engine(settings, settings.database_timeout)
    immediate = _sync_engine(settings, 0, checkpoints=False)
    if waiting is None or immediate is None:
        return None
    return waiting, immediate
