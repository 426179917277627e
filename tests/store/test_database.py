"""The engine: drivers from the URL, SQLite tuning, and outages seen as outages."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from functools import partial
from pathlib import Path

import anyio
import pytest
from sqlalchemy import text

from app.config import Settings
from app.engine.claim import Indicator, IndicatorKind
from app.store.database import Database, OutageLog, is_unavailable
from app.store.lookup import Lookup, SqliteLookup
from app.store.reports import reported_counts
from app.store.urls import async_url, sqlite_path, sync_url
from tests.store.pools import checked_out


@pytest.fixture
def sqlite_url(sqlite_migrated: Path, tmp_path: Path) -> str:
    path = tmp_path / "db" / "thatgia.db"
    path.parent.mkdir()
    shutil.copy(sqlite_migrated, path)
    return f"sqlite:///{path}"


def test_sqlite_url_gets_aiosqlite_and_read_write_mode(tmp_path: Path) -> None:
    url = async_url(f"sqlite:///{tmp_path}/t.db")
    assert url.drivername == "sqlite+aiosqlite"
    assert url.query == {"mode": "rw", "uri": "true"}


def test_relative_sqlite_path_resolves_from_the_working_directory() -> None:
    assert sqlite_path("sqlite:///./var/thatgia.db") == Path.cwd() / "var" / "thatgia.db"


def test_postgresql_url_gets_psycopg_for_both_flavours() -> None:
    url = "postgresql://u@db:5432/thatgia"
    assert async_url(url).drivername == "postgresql+psycopg"
    assert sync_url(url).drivername == "postgresql+psycopg"


def test_postgres_scheme_alias_is_accepted() -> None:
    assert async_url("postgres://u@db/thatgia").drivername == "postgresql+psycopg"


async def test_sqlite_runs_in_wal_with_a_busy_timeout(sqlite_url: str) -> None:
    database = Database(Settings(database_url=sqlite_url))
    async with database.session() as session:
        mode = await session.scalar(text("PRAGMA journal_mode"))
        timeout = await session.scalar(text("PRAGMA busy_timeout"))
    await database.dispose()
    assert (mode, timeout) == ("wal", 5000)


async def test_missing_sqlite_file_is_unavailable_not_created(tmp_path: Path) -> None:
    database = Database(Settings(database_url=f"sqlite:///{tmp_path}/absent.db"))
    with pytest.raises(Exception) as caught:
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
    await database.dispose()
    await anyio.sleep(0.05)  # aiosqlite's thread of the failed connection winds down
    assert is_unavailable(caught.value)
    assert not (tmp_path / "absent.db").exists()


async def test_pooled_sqlite_handle_is_dropped_when_its_file_moves(sqlite_url: str) -> None:
    path = sqlite_path(sqlite_url)
    assert path is not None
    database = Database(Settings(database_url=sqlite_url))
    assert await database.ping()
    os.rename(path.parent, path.parent.with_name("moved"))
    assert not await database.ping()
    os.rename(path.parent.with_name("moved"), path.parent)
    assert await database.ping()
    await database.dispose()


async def test_ping_is_true_on_a_migrated_database(database: Database) -> None:
    assert await database.ping()


def test_outage_warnings_come_once_per_interval_and_kind(caplog: pytest.LogCaptureFixture) -> None:
    log = OutageLog(interval=60)
    for _ in range(5):
        log.warning("remember", "not recorded: %s", "refused")
    log.warning("probe", "probe failed")
    assert [r.getMessage() for r in caplog.records] == ["not recorded: refused", "probe failed"]


def _driver_connection(lookup: Lookup) -> object:
    assert isinstance(lookup, SqliteLookup)
    return lookup.dbapi_connection


def _driver_connection_of_a_read(database: Database) -> object:
    """The driver connection a look-up runs on, from this thread."""
    return anyio.run(database.read, _driver_connection)


def test_sqlite_look_ups_keep_one_connection_for_their_thread(sqlite_url: str) -> None:
    database = Database(Settings(database_url=sqlite_url))
    first = _driver_connection_of_a_read(database)
    assert _driver_connection_of_a_read(database) is first
    # Another thread gets a connection of the pool, not the one held for the first.
    other: list[object] = []
    worker = threading.Thread(target=lambda: other.append(_driver_connection_of_a_read(database)))
    worker.start()
    worker.join()
    assert other and other[0] is not first
    assert _driver_connection_of_a_read(database) is first
    anyio.run(database.dispose)


async def test_sqlite_look_ups_drop_their_connection_when_the_file_moves(sqlite_url: str) -> None:
    path = sqlite_path(sqlite_url)
    assert path is not None
    database = Database(Settings(database_url=sqlite_url))
    counts = partial(reported_counts, found=[Indicator(IndicatorKind.PHONE, "+84901234567")])
    assert await database.read(counts) == {}
    os.rename(path.parent, path.parent.with_name("moved"))
    with pytest.raises(Exception) as caught:
        await database.read(counts)
    assert is_unavailable(caught.value)
    os.rename(path.parent.with_name("moved"), path.parent)
    assert await database.read(counts) == {}
    await database.dispose()


async def test_a_failed_look_up_gives_its_connection_back_to_the_pool(sqlite_url: str) -> None:
    database = Database(Settings(database_url=sqlite_url))
    reader = database.sqlite_reader
    assert reader is not None

    def broken(lookup: Lookup) -> None:
        assert isinstance(lookup, SqliteLookup)
        lookup.dbapi_connection.execute("SELECT * FROM no_such_table")

    await database.read(_driver_connection)
    assert checked_out(reader.engine) == 1  # held between look-ups
    with pytest.raises(sqlite3.OperationalError):
        await database.read(broken)
    assert checked_out(reader.engine) == 0
    await database.read(_driver_connection)
    assert checked_out(reader.engine) == 1
    await database.dispose()
    assert checked_out(reader.engine) == 0
