"""Refuse request bodies that are too large or stop arriving, before anything parses them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """Buffers a body up to the limit chosen for its path; past it, 413 problem details.
    A body whose next part takes longer than `read_timeout` seconds to arrive gets 408
    and the connection is closed.

    Reading the body here, before the application, means a parser never sees more than
    the limit, a client that lies about (or omits) Content-Length gains nothing, and a
    client that sends half a body does not hold its connection and buffer for ever (the
    server itself waits for a body as long as its client keeps the connection open).
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int], read_timeout: float) -> None:
        self.app = app
        self.limit_for = limit_for
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, 413, "Payload too large", _too_large(limit))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                async with asyncio.timeout(self.read_timeout):
                    message = await receive()
            except TimeoutError:
                await _refuse(scope, send, 408, "Request timeout", _stalled(self.read_timeout))
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(scope, send, 413, "Payload too large", _too_large(limit))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _too_large(limit: int) -> str:
    return f"The request body is larger than the limit of {limit} bytes."


def _stalled(timeout: float) -> str:
    return f"The request body stopped arriving: nothing came for {timeout:g} seconds."


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(scope: Scope, send: Send, status: int, title: str, detail: str) -> None:
    """Problem details, and the connection closed: the rest of the body is not read."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope["path"],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
