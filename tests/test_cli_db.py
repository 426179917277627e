"""`thatgia db` and `thatgia keys`: migrations, the purge, and API keys from the shell."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cli.main import main
from app.config import Settings, get_settings
from app.store.database import Database
from app.store.keys import ActiveKey, authenticate
from app.store.tables import ApiKey, CheckRecord, utcnow

T = TypeVar("T")


@pytest.fixture
def env_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """THATGIA_DATABASE_URL set to the test database, as an operator's shell would have it."""
    monkeypatch.setenv("THATGIA_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def key_of(url: str, token: str) -> ActiveKey | None:
    """The active key of a token, as a request looks it up."""

    async def run() -> ActiveKey | None:
        database = Database(Settings(database_url=url))
        try:
            return await database.read(lambda lookup: authenticate(lookup, token))
        finally:
            await database.dispose()

    return asyncio.run(run())


def in_session(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(Settings(database_url=url))
        try:
            async with database.write_session() as session:
                return await work(session)
        finally:
            await database.dispose()

    return asyncio.run(run())


def create(capsys: pytest.CaptureFixture[str], *scopes: str) -> str:
    args = ["keys", "create", "--name", "mx1"]
    for scope in scopes:
        args += ["--scope", scope]
    assert main(args) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_keys_create_prints_a_working_token_last(
    env_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    token = create(capsys, "gateway", "admin")
    key = key_of(env_database, token)
    assert key is not None
    assert (key.name, key.scopes) == ("mx1", frozenset({"admin", "gateway"}))


def test_keys_create_stores_no_token(env_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    token = create(capsys, "support")

    async def stored(session: AsyncSession) -> str:
        key = (await session.scalars(select(ApiKey))).one()
        return " ".join(str(v) for v in vars(key).values())

    # The secret is all after the key id: it may hold "_" itself (URL-safe base64).
    secret = token.split("_", 2)[2]
    assert len(secret) >= 40
    assert secret not in in_session(env_database, stored)


def test_keys_create_refuses_an_unknown_scope(
    env_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["keys", "create", "--name", "x", "--scope", "root"])


def test_keys_revoke_stops_the_token_and_list_shows_it(
    env_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    token = create(capsys, "support")
    key_id = token.split("_")[1]
    assert main(["keys", "revoke", key_id]) == 0
    assert key_of(env_database, token) is None
    capsys.readouterr()
    assert main(["keys", "list"]) == 0
    line = next(row for row in capsys.readouterr().out.splitlines() if key_id in row)
    assert "mx1" in line and "revoked" in line


def test_keys_revoke_of_an_unknown_key_fails_clearly(
    env_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "revoke", "nobody"]) == 1
    assert "nobody" in capsys.readouterr().err


def add_check(age: dt.timedelta) -> Callable[[AsyncSession], Awaitable[None]]:
    async def add(session: AsyncSession) -> None:
        session.add(
            CheckRecord(
                id=uuid.uuid4(),
                created_at=utcnow() - age,
                verdict="suspicious",
                finding_codes=[],
                input_sha256="0" * 64,
                excerpt="",
                indicators=[],
            )
        )
        await session.commit()

    return add


async def count_checks(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(CheckRecord)) or 0)


def test_db_purge_deletes_records_older_than_the_age(
    env_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    in_session(env_database, add_check(dt.timedelta(days=100)))
    in_session(env_database, add_check(dt.timedelta(days=10)))
    assert main(["db", "purge", "--older-than", "90d"]) == 0
    out = capsys.readouterr().out
    assert "deleted 1 audit record(s)" in out
    assert "deleted 0 answered Zalo event(s)" in out  # none stored; tests/zalo/test_purge.py
    assert in_session(env_database, count_checks) == 1


def test_db_purge_refuses_an_unreadable_age(env_database: str) -> None:
    with pytest.raises(SystemExit):
        main(["db", "purge", "--older-than", "ninety days"])


def test_db_upgrade_creates_the_sqlite_file_and_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "var" / "thatgia.db"
    monkeypatch.setenv("THATGIA_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    try:
        assert main(["db", "upgrade"]) == 0
        assert main(["db", "upgrade"]) == 0  # a second run has nothing to do
    finally:
        get_settings.cache_clear()
    assert in_session(f"sqlite:///{path}", count_checks) == 0


def test_keys_on_a_database_never_migrated_fail_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("THATGIA_DATABASE_URL", f"sqlite:///{tmp_path}/none.db")
    get_settings.cache_clear()
    try:
        assert main(["keys", "list"]) == 1
    finally:
        get_settings.cache_clear()
    assert "thatgia db upgrade" in capsys.readouterr().err
