"""Write transactions on SQLite at the driver's speed: on the event loop when they need not wait.

Through aiosqlite and SQLAlchemy's async engine every statement, BEGIN and COMMIT is a hop
to a thread and back; even one hop costs more than a small write, because the thread waits
for the GIL while the event loop works (the audit log cost a third of the service's
throughput that way, the Zalo webhook's inbox more than half of each acknowledgement).

So a write is a plain function of a synchronous SQLAlchemy connection ("work"), and it
runs right on the event loop, in a BEGIN IMMEDIATE transaction on a connection that never
waits for the lock and never checkpoints (a checkpoint may fsync; commits in WAL mode with
synchronous=NORMAL do not). Only BEGIN can find the lock taken; then nothing of the work has
run, and it runs again in a worker thread, on a connection that waits for the lock.
Checkpoints run in a worker thread every CHECKPOINT_ROWS rows written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from app.store.sqlite import HeldConnection

T = TypeVar("T")
Work = Callable[[Connection], T]

CHECKPOINT_ROWS = 2_000


class LockHeld(Exception):
    """Another connection holds SQLite's write lock; nothing was written."""


def _busy(exc: Exception) -> bool:
    """SQLITE_BUSY, whether or not SQLAlchemy wrapped the driver's error (it does when
    the connection's set-up statements hit it)."""
    error = exc.orig if isinstance(exc, OperationalError) else exc
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


class SqliteWriter:
    def __init__(self, engine: Engine, immediate: Engine, path: Path) -> None:
        # Both begin with BEGIN IMMEDIATE (app.store.sqlite.tune_sqlite reads the option).
        self.engine = engine.execution_options(sqlite_immediate=True)  # waits: threads only
        self.immediate = immediate.execution_options(sqlite_immediate=True)  # the loop's
        # The loop writes for every few checks: its connection stays out of the pool.
        self._loop_connection = HeldConnection(self.immediate.connect, path)
        self._since_checkpoint = 0

    def run_now(self, work: Work[T], rows: int = 1) -> T:
        """Run the work at once if no other writer holds the lock; LockHeld (and nothing
        run) if one does. `rows` counts towards the next checkpoint."""
        return self._run(self._loop_connection, work, rows, busy_is_held=True)

    def run(self, work: Work[T], rows: int = 1) -> T:
        """Run the work, waiting for the lock up to the busy timeout (from a worker thread)."""
        return self._run(_Unheld(self.engine.connect), work, rows, busy_is_held=False)

    def checkpoint_due(self) -> bool:
        return self._since_checkpoint >= CHECKPOINT_ROWS

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file (from a worker thread)."""
        self._since_checkpoint = 0
        # On the driver: through SQLAlchemy the pragma would run inside a transaction
        # (the engines begin one for every statement), where SQLite refuses it.
        connection = self.engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()

    def dispose(self) -> None:
        self._loop_connection.close()
        self.engine.dispose()
        self.immediate.dispose()

    def _run(self, connections: _Connections, work: Work[T], rows: int, *, busy_is_held: bool) -> T:
        conn: Connection | None = None
        try:
            # A new connection's set-up statements may find the lock taken, as BEGIN may.
            conn = connections.acquire()
            transaction = conn.begin()
        except (sqlite3.OperationalError, OperationalError) as exc:
            if conn is not None:
                connections.discard(conn)
            if busy_is_held and _busy(exc):
                raise LockHeld("another connection holds the write lock") from exc
            raise
        try:
            with transaction:
                result = work(conn)
        except BaseException:
            connections.discard(conn)
            raise
        connections.release(conn)
        self._since_checkpoint += rows
        return result


class _Connections(Protocol):
    def acquire(self) -> Connection: ...

    def release(self, conn: Connection) -> None: ...

    def discard(self, conn: Connection) -> None: ...


class _Unheld:
    """A new connection from the pool for each write (those of worker threads)."""

    def __init__(self, connect: Callable[[], Connection]) -> None:
        self.connect = connect

    def acquire(self) -> Connection:
        return self.connect()

    def release(self, conn: Connection) -> None:
        conn.close()

    def discard(self, conn: Connection) -> None:
        conn.close()
