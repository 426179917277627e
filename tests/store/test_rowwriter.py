"""Rows written through SQLite's driver read back as the ORM writes and reads them."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import anyio
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import Database
from app.dbsqlite import create_sqlite_writers
from app.dburls import sqlite_path
from app.models import Base, CheckRecord
from app.store.rowwriter import SqliteRowWriter

CHECKS = Base.metadata.tables["checks"]


def record(**changes: Any) -> dict[str, Any]:
    row = {
        "id": uuid.uuid4(),
        # Not UTC on purpose: the column's own processor must convert it.
        "created_at": dt.datetime(
            2025, 11, 21, 10, 0, 7, 123456, tzinfo=dt.timezone(dt.timedelta(hours=7))
        ),
        "channel": "zalo",
        "verdict": "impersonation",
        "finding_codes": ["phone.mobile", "request.link"],
        "input_sha256": "ab" * 32,
        "excerpt": "Anh ơi em bên Kho bạc, gửi em mã ••••••",
        "full_text": None,
        "indicators": [["phone", "+84901234567"], ["domain", "bit.ly"]],
    }
    return {**row, **changes}


@pytest.fixture
def writer(sqlite_migrated: Path, tmp_path: Path) -> SqliteRowWriter:
    path = tmp_path / "rows.db"
    path.write_bytes(sqlite_migrated.read_bytes())
    engines = create_sqlite_writers(Settings(database_url=f"sqlite:///{path}"))
    assert engines is not None
    return SqliteRowWriter(*engines)


def test_rows_read_back_through_the_orm_as_written(writer: SqliteRowWriter) -> None:
    rows = [record(), record(channel=None, full_text="toàn văn", indicators=[])]
    writer.write([(CHECKS, rows)])
    with Session(writer.engine) as session:
        stored = {r.id: r for r in session.scalars(select(CheckRecord))}
    assert set(stored) == {row["id"] for row in rows}
    for row in rows:
        got = stored[row["id"]]
        assert got.created_at == row["created_at"] and got.created_at.tzinfo is not None
        for name in ("channel", "verdict", "finding_codes", "input_sha256", "excerpt"):
            assert getattr(got, name) == row[name]
        assert (got.full_text, got.indicators) == (row["full_text"], row["indicators"])


def test_a_row_missing_a_column_is_refused_and_nothing_is_written(
    writer: SqliteRowWriter,
) -> None:
    incomplete = record()
    del incomplete["full_text"]
    with pytest.raises(ValueError, match="full_text"):
        writer.write([(CHECKS, [record(), incomplete])])
    with Session(writer.engine) as session:
        assert list(session.scalars(select(CheckRecord))) == []


def test_rows_wait_for_no_other_writer_on_the_event_loop(writer: SqliteRowWriter) -> None:
    """Written right away only if the lock is free: the other connection keeps it."""
    holder = sqlite3.connect(writer.engine.url.database or "", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.perf_counter()
        assert writer.write_now([(CHECKS, [record()])]) is False
        assert time.perf_counter() - started < 0.1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert writer.write_now([(CHECKS, [record()])]) is True


def test_the_event_loop_connection_neither_waits_nor_checkpoints(
    writer: SqliteRowWriter, sqlite_migrated: Path, tmp_path: Path
) -> None:
    settings = Settings(database_url=str(writer.engine.url))
    engines = create_sqlite_writers(settings)
    assert engines is not None
    waiting, immediate = engines
    try:
        with immediate.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 0
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
        with waiting.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() > 0
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() > 0
    finally:
        waiting.dispose()
        immediate.dispose()


async def test_a_held_lock_sends_the_batch_to_a_thread_and_the_loop_runs_on(
    database: Database, db_backend: str
) -> None:
    path = sqlite_path(database.url)
    if path is None:
        pytest.skip("the lock of a file is SQLite's alone")
    await database.insert_rows([(CHECKS, [record()])])  # the file is in WAL mode from now on
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    ticks = 0
    written = anyio.Event()

    async def insert() -> None:
        await database.insert_rows([(CHECKS, [record()])])
        written.set()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(insert)
        while ticks < 5:  # the loop is free while the batch waits in its thread
            await anyio.sleep(0.02)
            ticks += 1
        assert not written.is_set()
        holder.execute("ROLLBACK")
        holder.close()
        with anyio.fail_after(5):
            await written.wait()
    async with database.session() as session:
        assert len(list(await session.scalars(select(CheckRecord)))) == 2


async def test_a_checkpoint_follows_every_so_many_rows(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = database._rows
    if writer is None:
        pytest.skip("checkpoints are SQLite's")
    monkeypatch.setattr("app.store.rowwriter.CHECKPOINT_ROWS", 3)
    checkpoints: list[int] = []
    checkpoint = writer.checkpoint

    def counted() -> None:
        checkpoints.append(1)
        checkpoint()

    monkeypatch.setattr(writer, "checkpoint", counted)
    for _ in range(4):
        await database.insert_rows([(CHECKS, [record()])])
    assert checkpoints == [1]
    assert not writer.checkpoint_due()
