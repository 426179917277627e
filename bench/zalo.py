"""Zalo webhook acknowledgements against GET /healthz, and webhook-to-reply time.

A real server (child process, SQLite) talks over HTTP to the stand-in Zalo API of the
tests, served by a third process so that answering the server's sends does not slow this
one's load; it stamps what it receives with the machine's monotonic clock, shared with us.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

import httpx

from app.config import Settings
from app.db import Database
from app.store.migrations import upgrade
from app.zalo.tokens import load_refresh_token
from bench.load import LoadResult, measure
from bench.server import running_server
from tests.zalo.standin import running_standin

OA_KEY = "bench-oa-secret-key"
TEXT = "Em bên Kho bạc hỗ trợ, anh cài UltraViewer rồi gửi em ID và mật khẩu nhé. Mã pin là gì ạ?"
# Alternating slices of each load: a machine busy with something else for a moment
# weighs on both sides of the ratio instead of on one.
ROUNDS = 4
SLICE_SECONDS = 1.0
CONCURRENCY = 8
LATENCY_SAMPLES = 40
E2E_EVENTS = 400


def signed(app_id: str, msg_id: str, user: str) -> tuple[bytes, dict[str, str]]:
    event = {
        "app_id": app_id,
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user},
        "recipient": {"id": "oa"},
        "message": {"msg_id": msg_id, "text": TEXT},
    }
    body = json.dumps(event, ensure_ascii=False).encode()
    timestamp = event["timestamp"]
    assert isinstance(timestamp, str)
    mac = hashlib.sha256(app_id.encode() + body + timestamp.encode() + OA_KEY.encode())
    headers = {"X-ZEvent-Signature": f"mac={mac.hexdigest()}", "Content-Type": "application/json"}
    return body, headers


async def _acks(url: str, app_id: str, counter: Iterator[int]) -> LoadResult:
    """Closed loop like bench.load, but every event is new (a repeat would be a no-op)."""
    latencies: list[float] = []
    errors: list[int] = []
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)

    async def client_loop(client: httpx.AsyncClient, stop_at: float) -> None:
        while time.perf_counter() < stop_at:
            n = next(counter)
            body, headers = signed(app_id, f"load-{n}", f"load-user-{n}")
            started = time.perf_counter()
            response = await client.post(url, content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors.append(response.status_code)

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        stop_at = started + SLICE_SECONDS
        await asyncio.gather(*(client_loop(client, stop_at) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return LoadResult(len(latencies), elapsed, len(errors), latencies)


async def _delivered(
    client: httpx.AsyncClient, standin: str, user: str = ""
) -> tuple[int, list[float]]:
    """Replies the stand-in received in all, and when those to `user` arrived."""
    answer = (await client.get(f"{standin}/_sent", params={"user_id": user})).json()
    return int(answer["total"]), [float(at) for at in answer["at"]]


async def _reply_times(url: str, standin: str, app_id: str) -> list[float]:
    """One event at a time: from posting it to the stand-in receiving the reply."""
    times: list[float] = []
    async with httpx.AsyncClient(timeout=30) as client:
        for n in range(LATENCY_SAMPLES):
            user = f"latency-user-{n}"
            body, headers = signed(app_id, f"latency-{n}", user)
            started = time.monotonic()
            await client.post(url, content=body, headers=headers)
            arrived: list[float] = []
            while not arrived and time.monotonic() < started + 10:
                await asyncio.sleep(0.002)
                _, arrived = await _delivered(client, standin, user)
            if arrived:
                times.append((arrived[0] - started) * 1000)
    return times


async def _drain(standin: str, expected: int, limit: float = 60.0) -> tuple[int, float]:
    """Wait for the backlog of replies; how many arrived, and how long after the load."""
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as client:
        total, _ = await _delivered(client, standin)
        while total < expected and time.monotonic() - started < limit:
            await asyncio.sleep(0.05)
            total, _ = await _delivered(client, standin)
    return total, time.monotonic() - started


async def _end_to_end(url: str, standin: str, app_id: str, count: int) -> float:
    """Events per second answered in the chat, from the first post to the last reply."""
    async with httpx.AsyncClient(timeout=30) as client:
        before, _ = await _delivered(client, standin)
        started = time.monotonic()
        for first in range(0, count, CONCURRENCY):
            posts = [
                client.post(url, content=body, headers=headers)
                for body, headers in (
                    signed(app_id, f"e2e-{n}", f"e2e-user-{n}")
                    for n in range(first, min(count, first + CONCURRENCY))
                )
            ]
            await asyncio.gather(*posts)
        total = before
        while total < before + count and time.monotonic() - started < 120:
            await asyncio.sleep(0.02)
            total, _ = await _delivered(client, standin)
    return (total - before) / (time.monotonic() - started)


def _combined(results: list[LoadResult]) -> LoadResult:
    return LoadResult(
        sum(r.requests for r in results),
        sum(r.seconds for r in results),
        sum(r.errors for r in results),
        [ms for r in results for ms in r.latencies_ms],
    )


def _alternate(
    base: str, url: str, standin: str, app_id: str
) -> tuple[LoadResult, LoadResult, int, list[float]]:
    """Alternating slices; after each slice of webhooks, the replies it left behind are
    waited for, so that /healthz is measured on an idle server, not one still answering
    the events. Returns the loads, the replies delivered and each slice's drain time."""
    counter = itertools.count()
    health: list[LoadResult] = []
    acks: list[LoadResult] = []
    drains: list[float] = []
    delivered = 0
    for _ in range(ROUNDS):
        health.append(
            measure("GET", f"{base}/healthz", seconds=SLICE_SECONDS, concurrency=CONCURRENCY)
        )
        acks.append(asyncio.run(_acks(url, app_id, counter)))
        expected = sum(r.requests for r in acks)
        delivered, drained = asyncio.run(_drain(standin, expected))
        drains.append(drained)
    return _combined(health), _combined(acks), delivered, drains


def _prepare(database_url: str, app_id: str, refresh_token: str) -> None:
    upgrade(database_url)

    async def load() -> None:
        database = Database(Settings(database_url=database_url))
        try:
            await load_refresh_token(database, app_id, refresh_token)
        finally:
            await database.dispose()

    asyncio.run(load())


def _serve_standin(conn: Connection) -> None:
    with running_standin() as standin:
        conn.send((standin.base_url, standin.app_id, standin.app_secret, standin.refresh_token))
        conn.recv()  # until told to stop


@contextmanager
def standin_process() -> Iterator[tuple[str, str, str, str]]:
    """The stand-in Zalo API in its own process: (base URL, app id, secret, refresh token)."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve_standin, args=(theirs,))
    process.start()
    try:
        yield ours.recv()
    finally:
        ours.send("stop")
        process.join(timeout=10)


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp, standin_process() as standin:
        standin_url, app_id, app_secret, refresh_token = standin
        database_url = f"sqlite:///{tmp}/bench.db"
        _prepare(database_url, app_id, refresh_token)
        env = {
            "THATGIA_DATABASE_URL": database_url,
            "THATGIA_ZALO_APP_ID": app_id,
            "THATGIA_ZALO_OA_SECRET_KEY": OA_KEY,
            "THATGIA_ZALO_APP_SECRET": app_secret,
            "THATGIA_ZALO_API_BASE": standin_url,
            "THATGIA_ZALO_OAUTH_BASE": standin_url,
        }
        with running_server(env) as base:
            url = f"{base}/v1/integrations/zalo/webhook"
            health, acks, delivered, drains = _alternate(base, url, standin_url, app_id)
            times = asyncio.run(_reply_times(url, standin_url, app_id))
            sustained = asyncio.run(_end_to_end(url, standin_url, app_id, E2E_EVENTS))
    _report(health, acks, delivered, drains, times)
    print(f"answered end to end: {sustained:.0f} events/s  ({E2E_EVENTS} events, 8 at a time)")


def _report(
    health: LoadResult, acks: LoadResult, delivered: int, drains: list[float], times: list[float]
) -> None:
    print(
        f"GET  /healthz        : {health.rps:8.0f} req/s  median {health.median_ms:6.2f} ms"
        f"  errors {health.errors}"
    )
    print(
        f"POST zalo webhook    : {acks.rps:8.0f} req/s  median {acks.median_ms:6.2f} ms"
        f"  errors {acks.errors}  (signed, stored, acknowledged)"
    )
    print(f"ratio webhook / healthz: {acks.rps / health.rps:.2f}  (target >= 0.5)")
    print(
        f"replies delivered after the load: {delivered}/{acks.requests}"
        f"  (each slice's backlog drained in {max(drains):.1f} s at most)"
    )
    if times:
        print(
            f"webhook -> reply at the stand-in API: median {statistics.median(times):.1f} ms"
            f"  max {max(times):.1f} ms  ({len(times)} one at a time)"
        )
