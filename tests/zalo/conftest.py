"""The stand-in Zalo API, and the app wired to it over real HTTP and to a database.

`database_url` and `database` come from tests/conftest.py: every test that uses them runs
on SQLite and again on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from app.store.database import Database
from app.zalo.client import ZaloApi
from app.zalo.tokens import load_refresh_token
from tests.zalo.standin import StandIn, running_standin

OA_SECRET_KEY = "oa-secret-key"
USER = "8123456789"
OA = "579745863508352884"


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with running_standin() as state:
        yield state


@pytest.fixture
async def zalo_api(standin: StandIn) -> AsyncIterator[ZaloApi]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5)) as http:
        yield ZaloApi(http, api_base=standin.base_url, oauth_base=standin.base_url)


@pytest.fixture
def zalo_settings(database_url: str, standin: StandIn) -> Settings:
    return Settings(
        database_url=database_url,
        zalo_app_id=standin.app_id,
        zalo_oa_secret_key=OA_SECRET_KEY,
        zalo_app_secret=standin.app_secret,
        zalo_api_base=standin.base_url,
        zalo_oauth_base=standin.base_url,
        zalo_http_timeout=1.0,
        zalo_retry_base_seconds=0.05,
        zalo_retry_cap_seconds=0.2,
        zalo_max_attempts=4,
        zalo_poll_seconds=0.05,
        zalo_lease_seconds=5.0,
        audit_enabled=False,
    )


@pytest.fixture
async def token_loaded(database: Database, standin: StandIn) -> None:
    """The operator ran `thatgia zalo set-token` with the OA's first refresh token."""
    await load_refresh_token(database, standin.app_id, standin.refresh_token)


def sign(body: bytes, app_id: str, key: str = OA_SECRET_KEY) -> str:
    timestamp = str(json.loads(body)["timestamp"])
    return (
        "mac="
        + hashlib.sha256(app_id.encode() + body + timestamp.encode() + key.encode()).hexdigest()
    )


def text_event(app_id: str, text: str, msg_id: str, user: str = USER) -> dict[str, Any]:
    return {
        "app_id": app_id,
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user},
        "recipient": {"id": OA},
        "user_id_by_app": "552177279717587730",
        "message": {"msg_id": msg_id, "text": text},
    }


class Chatbot:
    """The running app as Zalo sees it: a webhook to post signed events to."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, standin: StandIn) -> None:
        self.app = app
        self.client = client
        self.standin = standin

    async def post(self, event: dict[str, Any], *, key: str = OA_SECRET_KEY) -> httpx.Response:
        body = json.dumps(event, ensure_ascii=False).encode()
        headers = {"X-ZEvent-Signature": sign(body, self.standin.app_id, key)}
        return await self.client.post(
            "/v1/integrations/zalo/webhook", content=body, headers=headers
        )

    async def say(self, text: str, msg_id: str, user: str = USER) -> httpx.Response:
        return await self.post(text_event(self.standin.app_id, text, msg_id, user))


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until `check` holds; fail after `timeout` seconds."""
    with anyio.fail_after(timeout):
        while not check():
            await anyio.sleep(0.02)


@asynccontextmanager
async def running_chatbot(settings: Settings, standin: StandIn) -> AsyncIterator[Chatbot]:
    """The whole app with its lifespan (database, delivery worker), reached in-process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as c:
            yield Chatbot(app, c, standin)


@pytest.fixture
async def chatbot(
    zalo_settings: Settings, standin: StandIn, token_loaded: None
) -> AsyncIterator[Chatbot]:
    async with running_chatbot(zalo_settings, standin) as bot:
        yield bot
