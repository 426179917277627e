"""POST /v1/check (1 KB message) against GET /healthz: same server, same client, same run.

Both loads come from the same Python client (httpx, 8 connections) on the same machine,
so /healthz, which costs the server little, is limited by the client: the ratio says how
close a check comes to the cheapest request this client can make. The server's own CPU
time per request is printed too; unlike the rates, the client does not blur it.
"""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import dataclass
from typing import Any

from bench.load import LoadResult, measure
from bench.messages import message_of
from bench.server import Served, serving

# Alternating loads: a moment when the machine is busy with something else slows one
# slice, not one side of the ratio. The first pair warms up and is not counted.
ROUNDS = 5
SLICE_SECONDS = 2.0
WARM_UP_SECONDS = 1.0


@dataclass(frozen=True)
class Slice:
    load: LoadResult
    cpu_ms: float | None  # server CPU per request


def _slice(served: Served, method: str, path: str, seconds: float, **kwargs: Any) -> Slice:
    before = served.cpu_seconds()
    load = measure(method, f"{served.base}{path}", seconds=seconds, **kwargs)
    after = served.cpu_seconds()
    cpu = None if before is None or after is None else (after - before) * 1000 / load.requests
    return Slice(load, cpu)


def _cpu(slices: list[Slice]) -> str:
    known = [s.cpu_ms for s in slices if s.cpu_ms is not None]
    return f"server CPU {statistics.median(known):5.2f} ms/request" if known else ""


def run() -> None:
    body = {"message": message_of(1_000), "channel": "zalo"}
    health: list[Slice] = []
    checks: list[Slice] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {"THATGIA_DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        with serving(env) as served:
            _slice(served, "GET", "/healthz", WARM_UP_SECONDS)
            _slice(served, "POST", "/v1/check", WARM_UP_SECONDS, json=body)
            for _ in range(ROUNDS):
                health.append(_slice(served, "GET", "/healthz", SLICE_SECONDS))
                checks.append(_slice(served, "POST", "/v1/check", SLICE_SECONDS, json=body))
    best_health = max(health, key=lambda s: s.load.rps).load
    best_check = max(checks, key=lambda s: s.load.rps).load
    paired = sorted(c.load.rps / h.load.rps for h, c in zip(health, checks, strict=True))
    print(
        f"GET  /healthz  : {best_health.rps:8.0f} req/s  median {best_health.median_ms:6.2f} ms"
        f"  errors {sum(s.load.errors for s in health)}  {_cpu(health)}"
    )
    print(
        f"POST /v1/check : {best_check.rps:8.0f} req/s  median {best_check.median_ms:6.2f} ms"
        f"  errors {sum(s.load.errors for s in checks)}  {_cpu(checks)}"
        "  (1 KB message, audit on)"
    )
    print(
        f"ratio check / healthz: {best_check.rps / best_health.rps:.2f}  (target >= 0.5; "
        f"best of {ROUNDS} alternating {SLICE_SECONDS:.0f} s slices each)"
    )
    print(
        f"  slice by slice      : median {statistics.median(paired):.2f}, "
        f"from {paired[0]:.2f} to {paired[-1]:.2f}"
        "  (each check slice against the /healthz slice before it)"
    )
