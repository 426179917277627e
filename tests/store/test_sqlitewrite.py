"""Writes on SQLite: on the event loop when the lock is free, else in a thread that waits."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection

from app.config import Settings
from app.store.database import Database, is_unavailable
from app.store.sqlite import create_sqlite_writers
from app.store.sqlitewrite import LockHeld, SqliteWriter
from app.store.tables import Base
from app.store.urls import sqlite_path
from tests.store.pools import checked_out


@pytest.fixture
def writer(sqlite_migrated: Path, tmp_path: Path) -> Iterator[SqliteWriter]:
    path = tmp_path / "writes.db"
    path.write_bytes(sqlite_migrated.read_bytes())
    engines = create_sqlite_writers(Settings(database_url=f"sqlite:///{path}"))
    assert engines is not None
    writer = SqliteWriter(*engines)
    writer.run(lambda conn: conn.exec_driver_sql("CREATE TABLE marks (n INTEGER)"))
    yield writer
    writer.dispose()


def mark(n: int) -> Callable[[Connection], int]:
    def work(conn: Connection) -> int:
        conn.execute(text("INSERT INTO marks (n) VALUES (:n)"), {"n": n})
        return n

    return work


def marks(writer: SqliteWriter) -> list[int]:
    with writer.engine.connect() as conn:
        return list(conn.execute(text("SELECT n FROM marks ORDER BY n")).scalars())


# For the tests through Database, on both backends: a table of the schema, with no foreign key.
TOKENS = Base.metadata.tables["zalo_tokens"]


def add_token(app_id: str) -> Callable[[Connection], None]:
    def work(conn: Connection) -> None:
        conn.execute(insert(TOKENS).values(app_id=app_id, refresh_token="r"))

    return work


async def token_ids(database: Database) -> list[str]:
    query = select(TOKENS.c.app_id).order_by(TOKENS.c.app_id)
    return await database.transaction(lambda conn: list(conn.execute(query).scalars()))


@pytest.fixture
def holder(writer: SqliteWriter) -> Iterator[sqlite3.Connection]:
    """Another connection holding the write lock until the test lets go of it."""
    connection = sqlite3.connect(writer.engine.url.database or "", isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    connection.close()


def test_work_runs_in_one_transaction_and_returns_its_result(writer: SqliteWriter) -> None:
    def both(conn: Connection) -> str:
        conn.execute(text("INSERT INTO marks (n) VALUES (1), (2)"))
        return "done"

    assert writer.run_now(both) == "done"
    assert marks(writer) == [1, 2]


def test_work_that_fails_leaves_nothing_behind(writer: SqliteWriter) -> None:
    def half(conn: Connection) -> None:
        conn.execute(text("INSERT INTO marks (n) VALUES (1)"))
        raise ValueError("half way")

    with pytest.raises(ValueError, match="half way"):
        writer.run_now(half)
    assert marks(writer) == []


def test_a_held_lock_is_refused_at_once_and_nothing_runs(
    writer: SqliteWriter, holder: sqlite3.Connection
) -> None:
    ran: list[int] = []

    def work(conn: Connection) -> None:
        ran.append(1)

    started = time.perf_counter()
    with pytest.raises(LockHeld):
        writer.run_now(work)
    assert time.perf_counter() - started < 0.1
    assert ran == []
    holder.execute("ROLLBACK")
    writer.run_now(work)
    assert ran == [1]


def test_the_event_loop_keeps_its_connection_between_writes(writer: SqliteWriter) -> None:
    writer.run_now(mark(1))
    writer.run_now(mark(2))
    assert checked_out(writer.immediate) == 1  # kept out of the pool between writes
    with pytest.raises(ValueError):
        writer.run_now(lambda conn: int("not a number"))
    assert checked_out(writer.immediate) == 0  # a failed write gives it back
    writer.run_now(mark(3))
    assert marks(writer) == [1, 2, 3]
    writer.dispose()
    assert checked_out(writer.immediate) == 0


def test_the_event_loop_never_writes_into_a_moved_file(
    sqlite_migrated: Path, tmp_path: Path
) -> None:
    """A handle kept open would write on into the moved file, and the rows would be lost."""
    path = tmp_path / "here" / "writes.db"
    path.parent.mkdir()
    path.write_bytes(sqlite_migrated.read_bytes())
    engines = create_sqlite_writers(Settings(database_url=f"sqlite:///{path}"))
    assert engines is not None
    writer = SqliteWriter(*engines)
    writer.run(lambda conn: conn.exec_driver_sql("CREATE TABLE marks (n INTEGER)"))
    writer.run_now(mark(1))
    path.parent.rename(tmp_path / "away")
    with pytest.raises(Exception) as caught:
        writer.run_now(mark(2))
    assert is_unavailable(caught.value)
    (tmp_path / "away").rename(path.parent)
    writer.run_now(mark(3))
    assert marks(writer) == [1, 3]
    writer.dispose()


def test_the_event_loop_connection_neither_waits_nor_checkpoints(writer: SqliteWriter) -> None:
    with writer.immediate.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 0
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
    with writer.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() > 0
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() > 0


def test_a_checkpoint_falls_due_after_so_many_rows(
    writer: SqliteWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.store.sqlitewrite.CHECKPOINT_ROWS", 3)
    writer.checkpoint()  # counting starts again from here
    writer.run_now(mark(1), rows=2)
    assert not writer.checkpoint_due()
    writer.run_now(mark(2), rows=1)
    assert writer.checkpoint_due()
    writer.checkpoint()
    assert not writer.checkpoint_due()


async def sqlite_file(database: Database) -> str:
    """The database's file, in WAL mode from now on; the test is skipped on PostgreSQL."""
    path = sqlite_path(database.url)
    if path is None:
        pytest.skip("the lock of a file is SQLite's alone")
    await database.transaction(add_token("first"))
    return str(path)


async def test_a_held_lock_sends_the_work_to_a_thread_and_the_loop_runs_on(
    database: Database,
) -> None:
    path = await sqlite_file(database)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    ticks = 0
    written = anyio.Event()

    async def insert() -> None:
        await database.transaction(add_token("second"))
        written.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(insert)
        while ticks < 5:  # the loop is free while the work waits in its thread
            await anyio.sleep(0.02)
            ticks += 1
        assert not written.is_set()
        holder.execute("ROLLBACK")
        holder.close()
        with anyio.fail_after(5):
            await written.wait()
    assert await token_ids(database) == ["first", "second"]


async def test_a_transaction_on_either_database_commits_or_rolls_back_whole(
    database: Database,
) -> None:
    def fail(conn: Connection) -> None:
        add_token("lost")(conn)
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        await database.transaction(fail)
    await database.transaction(add_token("kept"))
    assert await token_ids(database) == ["kept"]


async def test_a_checkpoint_follows_every_so_many_rows(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = database._sqlite_writer
    if writer is None:
        pytest.skip("checkpoints are SQLite's")
    monkeypatch.setattr("app.store.sqlitewrite.CHECKPOINT_ROWS", 3)
    checkpoints: list[int] = []
    checkpoint = writer.checkpoint

    def counted() -> None:
        checkpoints.append(1)
        checkpoint()

    monkeypatch.setattr(writer, "checkpoint", counted)
    for _ in range(4):
        await database.transaction(lambda conn: None)
    assert checkpoints == [1]
    assert not writer.checkpoint_due()


def test_a_write_holds_the_lock_from_its_start(writer: SqliteWriter) -> None:
    """BEGIN IMMEDIATE: the write lock is taken before the work's first statement, so two
    writers queue instead of one failing half way through its transaction."""
    other = sqlite3.connect(writer.engine.url.database or "", isolation_level=None, timeout=0)
    refused: list[str] = []

    def work(conn: Connection) -> None:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            refused.append(str(exc))

    try:
        writer.run_now(work)
    finally:
        other.close()
    assert refused and "locked" in refused[0]


async def test_a_write_session_holds_the_lock_from_its_first_statement(
    database: Database,
) -> None:
    path = await sqlite_file(database)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        async with database.write_session() as session:
            await session.execute(select(TOKENS.c.app_id))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()
