"""Rows written through SQLite's driver read back as the ORM writes and reads them."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.store.rowwriter import Batch, RowInserts
from app.store.sqlite import create_sqlite_writers
from app.store.sqlitewrite import SqliteWriter
from app.store.tables import Base, CheckRecord

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
        "fingerprint": b"\x01\x02",
    }
    return {**row, **changes}


@pytest.fixture
def writer(sqlite_migrated: Path, tmp_path: Path) -> SqliteWriter:
    path = tmp_path / "rows.db"
    path.write_bytes(sqlite_migrated.read_bytes())
    engines = create_sqlite_writers(Settings(database_url=f"sqlite:///{path}"))
    assert engines is not None
    return SqliteWriter(*engines)


def write(writer: SqliteWriter, batches: Batch) -> None:
    writer.run_now(partial(RowInserts(writer.engine.dialect).write, batches=batches))


def test_rows_read_back_through_the_orm_as_written(writer: SqliteWriter) -> None:
    rows = [record(), record(channel=None, full_text="toàn văn", indicators=[])]
    write(writer, [(CHECKS, rows)])
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
    writer: SqliteWriter,
) -> None:
    incomplete = record()
    del incomplete["full_text"]
    with pytest.raises(ValueError, match="full_text"):
        write(writer, [(CHECKS, [record(), incomplete])])
    with Session(writer.engine) as session:
        assert list(session.scalars(select(CheckRecord))) == []
