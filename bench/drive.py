"""Requests driven through the ASGI app in this process, no socket: `python -m bench.drive
WHAT N` warms the app up, then makes N rounds of requests of one kind (bench.instructions
counts the instructions they take under callgrind).

WHAT is `healthz` (GET /healthz), `check` (POST /v1/check, a 1 KB message, one at a time)
or `check8` (the same, eight at a time, as under load: the audit rows share transactions).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from starlette.types import Message

from app.main import create_app
from bench.messages import message_of

WARM_UP_CHECKS = 50
REQUESTS_PER_ROUND = {"healthz": 1, "check": 1, "check8": 8}
BODY = json.dumps({"message": message_of(1_000), "channel": "zalo"}).encode()


async def call(
    app: FastAPI,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    query: bytes = b"",
    headers: tuple[tuple[bytes, bytes], ...] = ((b"content-type", b"application/json"),),
) -> int:
    """One request through the app; its status code. A bare ASGI call rather than httpx's
    ASGITransport, as the tests use: the client's own work would be counted with the app's."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            *headers,
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    statuses: list[int] = []

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


def request(app: FastAPI, what: str) -> Callable[[], Awaitable[list[int]]]:
    """A function that makes one round of `what`, and gives its status codes."""

    async def healthz() -> list[int]:
        return [await call(app, "GET", "/healthz")]

    async def check() -> list[int]:
        return [await call(app, "POST", "/v1/check", BODY)]

    async def check8() -> list[int]:
        many = REQUESTS_PER_ROUND["check8"]
        return list(
            await asyncio.gather(*(call(app, "POST", "/v1/check", BODY) for _ in range(many)))
        )

    rounds = {"healthz": healthz, "check": check, "check8": check8}
    if what not in rounds:
        raise SystemExit(f"bench.drive: WHAT is one of {', '.join(rounds)}, not {what!r}")
    return rounds[what]


async def drive(what: str, rounds: int, app: FastAPI | None = None) -> list[int]:
    """Warm up, then make `rounds` rounds of `what`; the status codes of their requests.
    The app is made from the environment's settings unless one is given."""
    app = app or create_app()
    one_round = request(app, what)
    statuses: list[int] = []
    async with app.router.lifespan_context(app):
        for _ in range(WARM_UP_CHECKS):
            await call(app, "POST", "/v1/check", BODY)
        for _ in range(rounds):
            statuses += await one_round()
        await asyncio.sleep(0.05)  # the last audit batch commits
    return statuses


def main(argv: list[str]) -> int:
    what, rounds = argv[0], int(argv[1])
    statuses = asyncio.run(drive(what, rounds))
    failed = [status for status in statuses if status != 200]
    if failed:
        print(f"bench.drive: {len(failed)} of {len(statuses)} requests failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
