"""/v1/check and the database: every check recorded, and answered even when it is down."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from app.config import Settings
from app.engine.claim import Channel, Claim
from app.main import create_app
from app.store.audit import input_digest
from app.store.database import Database
from app.store.sqlite import READER_BUSY_TIMEOUT, create_sqlite_reader
from app.store.tables import CheckRecord
from app.store.urls import sqlite_path
from tests.conftest import KeyMaker, bearer

MESSAGE = "Em bên Kho bạc, anh đọc em mã OTP 482913 và mật khẩu: Tet@2025 nhé, gọi 0912345678"


async def stored_record(settings: Settings, check_id: str) -> CheckRecord | None:
    database = Database(settings)
    try:
        async with database.session() as session:
            return await session.get(CheckRecord, uuid.UUID(check_id))
    finally:
        await database.dispose()


async def check(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.post("/v1/check", json={"message": MESSAGE, "channel": "zalo"})
    assert response.status_code == 200
    return response


async def test_check_is_recorded_under_the_id_it_answers(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = (await check(client)).json()
    assert body["stored"] is True
    record = await stored_record(settings, body["id"])
    assert record is not None
    assert (record.verdict, record.channel) == (body["verdict"], "zalo")
    assert set(record.finding_codes) == {f["code"] for f in body["findings"]}


async def test_record_carries_the_digest_of_the_input(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = (await check(client)).json()
    record = await stored_record(settings, body["id"])
    assert record is not None
    assert record.input_sha256 == input_digest(Claim(message=MESSAGE, channel=Channel.ZALO))


async def test_record_masks_otp_password_and_numbers(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    record = await stored_record(settings, (await check(client)).json()["id"])
    assert record is not None
    assert not {"482913", "Tet@2025", "0912345678"} & set(record.excerpt.replace(",", " ").split())
    assert record.full_text is None


async def test_full_text_is_kept_only_when_configured(settings: Settings) -> None:
    keeping = settings.model_copy(update={"audit_keep_text": True})
    app = create_app(keeping)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            record = await stored_record(keeping, (await check(client)).json()["id"])
    assert record is not None
    assert record.full_text == MESSAGE


async def test_check_with_audit_disabled_is_answered_unstored(settings: Settings) -> None:
    quiet = settings.model_copy(update={"audit_enabled": False})
    app = create_app(quiet)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            body = (await check(client)).json()
    assert body["stored"] is False
    assert await stored_record(quiet, body["id"]) is None


class TcpProxy:
    """A loopback TCP relay to the database that can be cut and restored."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self.writers.discard(writer)


@dataclass
class Breakable:
    settings: Settings
    cut: Callable[[], Awaitable[None]]
    restore: Callable[[], Awaitable[None]]


@pytest.fixture
async def breakable(database_url: str, db_backend: str) -> AsyncIterator[Breakable]:
    """The test database behind something the test can cut: a proxy, or the file's folder."""
    if db_backend == "sqlite":
        folder = sqlite_path(database_url)
        assert folder is not None
        here, away = folder.parent, folder.parent.with_name("away")

        async def cut_file() -> None:
            os.rename(here, away)

        async def restore_file() -> None:
            os.rename(away, here)

        yield Breakable(Settings(database_url=database_url), cut_file, restore_file)
        return
    parsed = make_url(database_url)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    await proxy.start()
    url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    yield Breakable(Settings(database_url=url), proxy.stop, proxy.start)
    await proxy.stop()


@dataclass
class Down:
    client: httpx.AsyncClient
    support_token: str
    check_id: str
    restore: Callable[[], Awaitable[None]]


@pytest.fixture
async def down(breakable: Breakable, make_key: KeyMaker) -> AsyncIterator[Down]:
    """A running app whose database was stopped under it, after some use."""
    app: FastAPI = create_app(breakable.settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            token = await make_key("support")
            first = (await check(client)).json()
            assert first["stored"] is True
            await breakable.cut()
            yield Down(client, token, first["id"], breakable.restore)
    # aiosqlite stops the thread of a failed connection without waiting for it: let those
    # threads finish while this test's event loop still runs.
    await anyio.sleep(0.05)


async def test_check_during_an_outage_still_gives_the_verdict_unstored(down: Down) -> None:
    body = (await check(down.client)).json()
    assert (body["verdict"], body["stored"]) == ("impersonation", False)


async def test_readiness_during_an_outage_is_503(down: Down) -> None:
    response = await down.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False


async def test_report_during_an_outage_is_503_with_retry_after(down: Down) -> None:
    response = await down.client.post("/v1/reports", json={"check_id": down.check_id})
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["content-type"] == "application/problem+json"


async def test_ticket_registration_during_an_outage_is_503_with_retry_after(down: Down) -> None:
    response = await down.client.post(
        "/v1/tickets", json={"code": "SD251120-000123"}, headers=bearer(down.support_token)
    )
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0


async def test_service_recovers_when_the_database_returns(down: Down) -> None:
    assert (await check(down.client)).json()["stored"] is False
    await down.restore()
    assert (await check(down.client)).json()["stored"] is True
    assert (await down.client.get("/readyz")).status_code == 200
    response = await down.client.post("/v1/reports", json={"check_id": down.check_id})
    assert response.status_code == 201


def test_outage_fixtures_never_touch_the_template(sqlite_migrated: Path) -> None:
    assert sqlite_migrated.exists()


def test_sqlite_look_ups_wait_briefly_for_a_lock(settings: Settings, db_backend: str) -> None:
    """They run on the event loop (app.store.sqlite.create_sqlite_reader): a long wait would stall
    every other request with them."""
    reader = create_sqlite_reader(settings)
    if db_backend != "sqlite":
        assert reader is None
        return
    assert reader is not None
    try:
        with reader.engine.connect() as conn:
            waits_ms = conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    finally:
        reader.dispose()
    assert waits_ms == READER_BUSY_TIMEOUT * 1000 < settings.database_timeout * 1000


async def test_a_locked_sqlite_file_holds_up_no_request(
    settings: Settings, db_backend: str
) -> None:
    """Another process holds the file's lock: checks still get their verdict, unstored,
    and nothing else waits for them."""
    if db_backend != "sqlite":
        pytest.skip("a file lock is SQLite's alone")
    path = sqlite_path(settings.database_url)
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("DELETE FROM tickets")
    app = create_app(settings.model_copy(update={"database_timeout": 1.0}))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                bodies: list[dict[str, object]] = []

                async def checked() -> None:
                    bodies.append((await check(client)).json())

                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(checked)
                    await anyio.sleep(0)  # the check is on its way
                    started = time.perf_counter()
                    assert (await client.get("/healthz")).status_code == 200
                    waited = time.perf_counter() - started
    finally:
        holder.close()
    assert waited < READER_BUSY_TIMEOUT + 0.5
    assert [(b["verdict"], b["stored"]) for b in bodies] == [("impersonation", False)]
