"""Batches of rows into append-only tables on SQLite, at the driver's speed.

The group commit (app.store.group_commit) writes a batch for every few checks. Through
aiosqlite and SQLAlchemy's async engine a batch was five hops to a thread and back; even
one hop costs more than the write itself, because the thread waits for the GIL while the
event loop works (the audit log cost a third of the service's throughput that way).

So the INSERT is compiled once per table, values are converted by SQLAlchemy's own bind
processors (UUIDs, UTC timestamps, JSON), and a batch is BEGIN IMMEDIATE, executemany,
COMMIT on a pooled driver connection, run right on the event loop — but only if it need
not wait: that connection has no busy timeout and never checkpoints (a checkpoint may
fsync). If another writer holds the lock, the batch goes to a worker thread on a
connection that waits for it. Checkpoints run in a worker thread every CHECKPOINT_ROWS.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError

Batch = Sequence[tuple[Table, list[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class _Insert:
    sql: str
    columns: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        if len(row) != len(self.columns):  # a column left to a default would go unset
            missing = sorted(set(self.columns) - set(row))
            raise ValueError(f"every column needs a value; missing: {missing}")
        return tuple(
            row[name] if process is None else process(row[name])
            for name, process in zip(self.columns, self.processors, strict=True)
        )


def _compile(table: Table, dialect: Dialect) -> _Insert:
    compiled = insert(table).compile(dialect=dialect)
    columns = tuple(compiled.positiontup or ())
    types = [table.c[name].type for name in columns]
    processors = tuple(t.bind_processor(dialect) for t in types)
    return _Insert(str(compiled), columns, processors)


CHECKPOINT_ROWS = 2_000


def _busy(exc: Exception) -> bool:
    """Another connection holds the lock (SQLITE_BUSY), whether or not SQLAlchemy wrapped
    the driver's error (it does when the connection's set-up statements hit it)."""
    error = exc.orig if isinstance(exc, OperationalError) else exc
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


class SqliteRowWriter:
    def __init__(self, engine: Engine, immediate: Engine) -> None:
        self.engine = engine  # waits for the lock (busy timeout); from a worker thread
        self.immediate = immediate  # never waits, never checkpoints; on the event loop
        self._inserts: dict[str, _Insert] = {}
        self._since_checkpoint = 0

    def write_now(self, batches: Batch) -> bool:
        """Write the rows at once if no other writer holds the lock; False (and nothing
        written) if one does."""
        try:
            self._write(self.immediate, batches)
        except (sqlite3.OperationalError, OperationalError) as exc:
            if not _busy(exc):
                raise
            return False
        return True

    def write(self, batches: Batch) -> None:
        """All the rows in one transaction, waiting for the lock (from a worker thread)."""
        self._write(self.engine, batches)

    def checkpoint_due(self) -> bool:
        return self._since_checkpoint >= CHECKPOINT_ROWS

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file (from a worker thread)."""
        self._since_checkpoint = 0
        connection = self.engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()

    def _write(self, engine: Engine, batches: Batch) -> None:
        statements = [(self._insert(table), rows) for table, rows in batches]
        connection = engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert driver is not None
            driver.execute("BEGIN IMMEDIATE")
            try:
                for statement, rows in statements:
                    driver.executemany(statement.sql, [statement.values(row) for row in rows])
                driver.execute("COMMIT")
            except BaseException:
                driver.execute("ROLLBACK")
                raise
        finally:
            connection.close()
        self._since_checkpoint += sum(len(rows) for _, rows in batches)

    def _insert(self, table: Table) -> _Insert:
        found = self._inserts.get(table.name)
        if found is None:
            found = self._inserts[table.name] = _compile(table, self.engine.dialect)
        return found
