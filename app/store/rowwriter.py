"""Batches of rows into append-only tables on SQLite, at the driver's speed.

The group commit (app.store.group_commit) writes a batch for every few checks. Through
aiosqlite and SQLAlchemy's async engine a batch is five hops to a thread and back, and its
Python work competes with the event loop: the audit record cost more than half of what
the rest of a check costs. Here the INSERT is compiled once per table, values are
converted by SQLAlchemy's own bind processors (UUIDs, UTC timestamps, JSON), and the whole
batch — BEGIN IMMEDIATE, executemany, COMMIT — is one call on a pooled driver connection,
made in one worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, insert
from sqlalchemy.engine import Dialect

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


class SqliteRowWriter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._inserts: dict[str, _Insert] = {}

    def write(self, batches: Batch) -> None:
        """All the rows in one transaction (call it from a worker thread)."""
        statements = [(self._insert(table), rows) for table, rows in batches]
        connection = self.engine.raw_connection()
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

    def _insert(self, table: Table) -> _Insert:
        found = self._inserts.get(table.name)
        if found is None:
            found = self._inserts[table.name] = _compile(table, self.engine.dialect)
        return found
