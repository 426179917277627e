"""Closed-loop HTTP load: a fixed number of concurrent clients for a fixed time."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


async def _worker(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    kwargs: dict[str, Any],
    stop_at: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        response = await client.request(method, url, **kwargs)
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            errors.append(response.status_code)


async def _load(
    method: str, url: str, kwargs: dict[str, Any], seconds: float, concurrency: int
) -> LoadResult:
    latencies: list[float] = []
    errors: list[int] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await client.request(method, url, **kwargs)  # warm the connection and the server
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(
            *(
                _worker(client, method, url, kwargs, stop_at, latencies, errors)
                for _ in range(concurrency)
            )
        )
        elapsed = time.perf_counter() - started
    return LoadResult(len(latencies), elapsed, len(errors), latencies)


def measure(
    method: str, url: str, *, seconds: float = 3.0, concurrency: int = 8, **kwargs: Any
) -> LoadResult:
    return asyncio.run(_load(method, url, kwargs, seconds, concurrency))
