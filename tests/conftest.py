"""Shared fixtures: the app under test, an HTTP client speaking to it in-process, and its
database, on SQLite and again on PostgreSQL.

Every test that takes `settings` (so `app` and `client` too) or `database` runs twice:
`[sqlite]` on a copy of a SQLite file migrated once per session, `[postgres]` on a schema
of THATGIA_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test) migrated
once per session and emptied before each test. The schema is private to this run, so
several runs can share one server. Without a reachable PostgreSQL the `[postgres]` cases
are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from psycopg import sql
from sqlalchemy.engine import make_url

from app.config import Settings
from app.engine.reference import load_reference
from app.engine.reference.models import Reference
from app.main import create_app
from app.native import engine_build, stale_sources
from app.store.database import Database
from app.store.keys import create_key
from app.store.migrations import upgrade

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def pytest_report_header() -> str:
    return f"thatgia engine: {engine_build()} (setup.py)"


def pytest_sessionstart(session: pytest.Session) -> None:
    # Tests of a module edited after it was compiled would test its old code.
    stale = [str(path) for path in stale_sources()]
    if stale:
        pytest.exit(f"changed since compiled: {', '.join(stale)}; run `make install`", 2)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class PostgresServer:
    """The test PostgreSQL: schemas private to this run, dropped at its end."""

    def __init__(self, url: str, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        self.url = url
        self.conn = conn
        self.schemas: list[str] = []

    def new_schema(self, label: str) -> str:
        """A fresh empty schema; the URL of a connection whose search path is it."""
        name = f"thatgia_{label}_{os.getpid()}_{secrets.token_hex(3)}"
        self.conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        self.schemas.append(name)
        return schema_url(self.url, name)

    def empty(self, schema_url_: str) -> None:
        schema = schema_of(schema_url_)
        tables = self.conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> %s",
            (schema, "alembic_version"),
        ).fetchall()
        if tables:
            names = sql.SQL(", ").join(sql.Identifier(schema, str(t[0])) for t in tables)
            self.conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(names))

    def close(self) -> None:
        for name in self.schemas:
            self.conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
        self.conn.close()


def schema_url(url: str, schema: str) -> str:
    parsed = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


def schema_of(url: str) -> str:
    options = str(make_url(url).query["options"])
    return options.removeprefix("-csearch_path=")


def _postgres_missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs PostgreSQL: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not reachable, set THATGIA_TEST_POSTGRES_URL ({reason})")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    url = os.environ.get("THATGIA_TEST_POSTGRES_URL") or POSTGRES_DEFAULT
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = psycopg.connect(plain, connect_timeout=3, autocommit=True)
    except psycopg.Error as exc:
        _postgres_missing(f"{make_url(url).render_as_string()}: {exc}".strip())
        raise
    server = PostgresServer(plain, conn)
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_migrated(postgres: PostgresServer) -> str:
    url = postgres.new_schema("test")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "thatgia.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
def database_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated database with no rows, for this test alone."""
    if db_backend == "sqlite":
        path = tmp_path / "db" / "thatgia.db"
        path.parent.mkdir()
        shutil.copy(request.getfixturevalue("sqlite_migrated"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_migrated")
    server: PostgresServer = request.getfixturevalue("postgres")
    server.empty(url)
    return url


@pytest.fixture(scope="session")
def reference() -> Reference:
    return load_reference()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings)
    yield database
    await database.dispose()


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    # ASGITransport does not run the lifespan; enter it so start-up work happens as in serving.
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as c:
            yield c


KeyMaker = Callable[..., Awaitable[str]]


@pytest.fixture
def make_key(settings: Settings) -> KeyMaker:
    """Create an API key with the given scopes; returns its token."""

    async def make(*scopes: str, name: str = "test") -> str:
        database = Database(settings)
        try:
            async with database.write_session() as session:
                _, token = await create_key(session, name, scopes)
        finally:
            await database.dispose()
        return token

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def live_server(app: FastAPI) -> AsyncIterator[str]:
    """The app served by uvicorn on a free loopback port, in this event loop."""
    # IPPROTO_TCP given explicitly: asyncio sets TCP_NODELAY only on sockets that say so,
    # and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(server.serve, [sock])
        while not server.started:
            await anyio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
    sock.close()
