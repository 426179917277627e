"""Zalo webhook acknowledgements against GET /healthz, and webhook-to-reply time.

A real server (child process, SQLite) talks over HTTP to the stand-in Zalo API of the
tests, served by a third process so that answering the server's sends does not slow this
one's load; it stamps what it receives with the machine's monotonic clock, shared with us.
The acknowledgements and /healthz are loaded by wrk (bench/wrk.py), each event signed
beforehand and sent once. The replies' timing and the end-to-end rate, bounded by the
worker that sends replies, come from posts made here a few at a time.
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
from app.store.database import Database
from app.store.migrations import upgrade
from app.zalo.tokens import load_refresh_token
from bench.load import Slice, measure, ratios, spread, summary
from bench.server import Served, serving
from bench.wrk import raw_request
from tests.zalo.standin import running_standin

OA_KEY = "bench-oa-secret-key"
TEXT = "Em bên Kho bạc hỗ trợ, anh cài UltraViewer rồi gửi em ID và mật khẩu nhé. Mã pin là gì ạ?"
# Alternating slices of each load: a machine busy with something else for a moment
# weighs on both sides of the ratio instead of on one.
ROUNDS = 4
SLICE_SECONDS = 1
CONCURRENCY = 8
# Events signed for each slice: more than a slice can acknowledge (wrk reports any sent twice).
EVENTS_PER_SLICE = 8_000
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


def _events(app_id: str, counter: Iterator[int], count: int) -> list[bytes]:
    """`count` webhook requests, each a new signed event."""
    requests = []
    for n in itertools.islice(counter, count):
        body, headers = signed(app_id, f"load-{n}", f"load-user-{n}")
        requests.append(raw_request("POST", "/v1/integrations/zalo/webhook", body, headers))
    return requests


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


def _alternate(
    served: Served, standin: str, app_id: str
) -> tuple[list[Slice], list[Slice], int, list[float]]:
    """Alternating slices; after each slice of webhooks, the replies it left behind are
    waited for, so that /healthz is measured on an idle server, not one still answering
    the events. Returns the slices, the replies delivered and each slice's drain time."""
    counter = itertools.count()
    health: list[Slice] = []
    acks: list[Slice] = []
    drains: list[float] = []
    delivered = 0
    healthz = raw_request("GET", "/healthz")
    for _ in range(ROUNDS):
        events = _events(app_id, counter, EVENTS_PER_SLICE)
        for requests, slices in (([healthz], health), (events, acks)):
            slices.append(
                measure(
                    served.base,
                    served.cpu_seconds,
                    requests,
                    seconds=SLICE_SECONDS,
                    connections=CONCURRENCY,
                )
            )
        expected = sum(s.load.requests for s in acks)
        delivered, drained = asyncio.run(_drain(standin, expected))
        drains.append(drained)
    return health, acks, delivered, drains


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
        with serving(env) as served:
            url = f"{served.base}/v1/integrations/zalo/webhook"
            health, acks, delivered, drains = _alternate(served, standin_url, app_id)
            times = asyncio.run(_reply_times(url, standin_url, app_id))
            sustained = asyncio.run(_end_to_end(url, standin_url, app_id, E2E_EVENTS))
    _report(health, acks, delivered, drains, times)
    print(f"answered end to end: {sustained:.0f} events/s  ({E2E_EVENTS} events, 8 at a time)")


def _report(
    health: list[Slice],
    acks: list[Slice],
    delivered: int,
    drains: list[float],
    times: list[float],
) -> None:
    print(
        f"wrk, {CONCURRENCY} connections, {ROUNDS} alternating {SLICE_SECONDS} s slices of each;"
        " median (min–max) over the slices"
    )
    print(summary("GET  /healthz    ", health))
    print(summary("POST zalo webhook", acks) + "  (signed, stored, acknowledged)")
    print(f"ratio webhook / healthz: {spread(ratios(acks, health), '.2f')}  (target >= 0.5)")
    repeated = sum(s.load.laps for s in acks)
    if repeated:
        print(f"  ({repeated} times a slice ran out of new events and sent them again)")
    sent = sum(s.load.requests for s in acks)
    print(
        f"replies delivered after the load: {delivered}/{sent}"
        f"  (each slice's backlog drained in {max(drains):.1f} s at most)"
    )
    if times:
        print(
            f"webhook -> reply at the stand-in API: median {statistics.median(times):.1f} ms"
            f"  max {max(times):.1f} ms  ({len(times)} one at a time)"
        )
