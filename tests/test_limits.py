"""Request bodies over a real socket: one that stops arriving is answered 408 and its
connection closed; one that arrives slowly but steadily is read."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import anyio
import pytest
from anyio.abc import SocketStream

from app.config import Settings
from app.main import create_app
from tests.conftest import live_server

pytestmark = pytest.mark.anyio

BODY = json.dumps({"message": "Em bên Kho bạc, anh gửi em mã PIN nhé"}).encode()


def head(length: int) -> bytes:
    return (
        "POST /v1/check HTTP/1.1\r\nHost: thatgia.test\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


async def read_until_closed(stream: SocketStream) -> bytes:
    received = b""
    while True:
        try:
            received += await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            return received


async def test_half_sent_body_is_408_problem_details_and_the_connection_closed(
    database_url: str,
) -> None:
    app = create_app(Settings(database_url=database_url, body_read_timeout=0.3))
    async with live_server(app) as base:
        port = urlsplit(base).port
        assert port is not None
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send(head(len(BODY)) + BODY[: len(BODY) // 2])
            started = time.monotonic()
            with anyio.fail_after(5):
                answer = await read_until_closed(stream)  # the server closes it
            waited = time.monotonic() - started
    status_line, _, rest = answer.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert status_line == b"HTTP/1.1 408 Request Timeout"
    assert b"content-type: application/problem+json" in headers.lower()
    assert json.loads(body)["detail"] == (
        "The request body stopped arriving: nothing came for 0.3 seconds."
    )
    assert 0.25 < waited < 3


async def test_body_arriving_slowly_but_steadily_is_read(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, body_read_timeout=0.5))
    async with live_server(app) as base:
        port = urlsplit(base).port
        assert port is not None
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            await stream.send(head(len(BODY)))
            third = len(BODY) // 3
            for part in (BODY[:third], BODY[third : 2 * third], BODY[2 * third :]):
                await anyio.sleep(0.2)  # each part within the timeout; the whole, past it
                await stream.send(part)
            with anyio.fail_after(5):
                answer = await stream.receive()
    assert answer.startswith(b"HTTP/1.1 200 OK")
