"""Look-ups on SQLite's driver connection give the rows Core gives, for any list size."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert

from app.store.lookup import CoreLookup, SqliteLookup, sqlite_sql
from app.store.reports import COUNTS_BY_VALUE
from app.store.tables import IndicatorCount, Ticket, utcnow
from app.store.tickets import TICKETS_BY_CODE

CODES = [f"SD251120-{n:06d}" for n in range(1, 8)]
KEYS = [("phone", f"+8490123456{n}") for n in range(7)] + [("domain", "bit.ly")]


@pytest.fixture
def filled(sqlite_migrated: Path, tmp_path: Path) -> Path:
    path = tmp_path / "lookup.db"
    path.write_bytes(sqlite_migrated.read_bytes())
    engine = create_engine(f"sqlite:///{path}")
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(insert(Ticket), [{"code": c, "unit_code": "1234567"} for c in CODES[::2]])
        conn.execute(
            insert(IndicatorCount),
            [
                {"kind": k, "value": v, "report_count": i + 1, "first_reported_at": now,
                 "last_reported_at": now}
                for i, (k, v) in enumerate(KEYS[1::2])
            ],
        )  # fmt: skip
    engine.dispose()
    return path


@pytest.mark.parametrize("size", [1, 2, 5, 8])
def test_driver_and_core_rows_agree(filled: Path, size: int) -> None:
    engine = create_engine(f"sqlite:///{filled}")
    driver = sqlite3.connect(filled)
    try:
        with engine.connect() as conn:
            core, fast = CoreLookup(conn), SqliteLookup(driver)
            for statement, values in (
                (TICKETS_BY_CODE, CODES[:size]),
                (COUNTS_BY_VALUE, [value for _, value in KEYS[:size]]),
            ):
                expected = sorted(tuple(row[:2]) for row in core(statement, values))
                assert sorted(tuple(row[:2]) for row in fast(statement, values)) == expected
                assert expected or size == 1  # most sizes find rows: the test compares some
    finally:
        driver.close()
        engine.dispose()


def test_sql_has_one_placeholder_per_value() -> None:
    assert sqlite_sql(TICKETS_BY_CODE, 3, 0).count("?") == 3
    assert sqlite_sql(COUNTS_BY_VALUE, 4, 0).count("?") == 4


def test_every_look_up_searches_an_index_however_large_the_table(filled: Path) -> None:
    """A look-up runs on the event loop for every check: a scan of a table that grows with
    every report would slow every check down."""
    driver = sqlite3.connect(filled)
    try:
        driver.executemany(
            "INSERT INTO indicators VALUES (?, ?, 1, '2026-01-01', '2026-01-01')",
            [("phone", f"+849{n:08d}") for n in range(5_000)],
        )
        driver.executemany(
            "INSERT INTO tickets (code, registered_at) VALUES (?, '2026-01-01')",
            [(f"SD260101-{n:06d}",) for n in range(5_000)],
        )
        driver.execute("ANALYZE")
        for statement, count in ((TICKETS_BY_CODE, 3), (COUNTS_BY_VALUE, 3)):
            sql = sqlite_sql(statement, count, 0)
            rows = driver.execute(f"EXPLAIN QUERY PLAN {sql}", [""] * count)
            plan = " | ".join(row[3] for row in rows)
            assert "SEARCH" in plan and "SCAN tickets" not in plan, plan
            assert "SCAN indicators" not in plan, plan
    finally:
        driver.close()
