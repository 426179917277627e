"""Batches of rows into append-only tables on SQLite, at the driver's speed.

The group commit (app.store.group_commit) writes a batch for every few checks. The INSERT is
compiled once per table, values are converted by SQLAlchemy's own bind processors (UUIDs,
UTC timestamps, JSON), and the rows go to the driver's executemany, inside a transaction of
app.store.sqlitewrite (on the event loop when the lock is free).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection, Dialect

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


class RowInserts:
    """The compiled INSERT of each table, and the work that writes a batch with them."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._inserts: dict[str, _Insert] = {}

    def write(self, conn: Connection, batches: Batch) -> None:
        """All the rows, in the connection's transaction (app.store.sqlitewrite)."""
        statements = [(self._insert(table), rows) for table, rows in batches]
        driver = conn.connection.driver_connection
        assert driver is not None
        for statement, rows in statements:
            driver.executemany(statement.sql, [statement.values(row) for row in rows])

    def _insert(self, table: Table) -> _Insert:
        found = self._inserts.get(table.name)
        if found is None:
            found = self._inserts[table.name] = _compile(table, self.dialect)
        return found
