"""`thatgia zalo set-token` loads the OA's first refresh token into the database."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator

import pytest

from app.cli.main import main
from app.config import Settings, get_settings
from app.store.database import Database
from app.zalo.models import ZaloToken
from app.zalo.tokens import token_row

APP_ID = "1234567890"


@pytest.fixture
def environment(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("THATGIA_DATABASE_URL", database_url)
    monkeypatch.setenv("THATGIA_ZALO_APP_ID", APP_ID)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def stored(database_url: str) -> ZaloToken | None:
    async def read() -> ZaloToken | None:
        database = Database(Settings(database_url=database_url))
        try:
            return await token_row(database, APP_ID)
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_set_token_stores_the_refresh_token(
    environment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["zalo", "set-token", "--refresh-token", "rt-first"]) == 0
    row = stored(environment)
    assert row is not None
    assert (row.refresh_token, row.access_token) == ("rt-first", None)
    assert "rt-first" not in capsys.readouterr().out  # secrets are not echoed


def test_set_token_reads_stdin_for_a_dash(
    environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("rt-from-stdin\n"))
    assert main(["zalo", "set-token", "--refresh-token", "-"]) == 0
    row = stored(environment)
    assert row is not None and row.refresh_token == "rt-from-stdin"


def test_set_token_needs_the_app_id(
    environment: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("THATGIA_ZALO_APP_ID")
    get_settings.cache_clear()
    assert main(["zalo", "set-token", "--refresh-token", "rt"]) == 2
    assert "THATGIA_ZALO_APP_ID" in capsys.readouterr().err
