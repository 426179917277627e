"""POST /v1/check (1 KB message, audit on) against GET /healthz: same server, same run.

The load comes from wrk (bench/wrk.py), which can send many times the requests a second
the server answers: the rates are the server's. Its CPU time per request, read from /proc
before and after each slice, is printed beside them.
"""

from __future__ import annotations

import json
import tempfile

from bench.load import Slice, measure, ratios, spread, summary
from bench.messages import message_of
from bench.server import serving
from bench.wrk import raw_request

# Alternating slices: a moment when the machine is busy with something else slows one
# slice, not one side of the ratio. The first pair warms up and is not counted.
ROUNDS = 5
SLICE_SECONDS = 2
WARM_UP_SECONDS = 1
CONNECTIONS = 8


def run() -> None:
    body = json.dumps({"message": message_of(1_000), "channel": "zalo"}).encode()
    check = raw_request("POST", "/v1/check", body, {"Content-Type": "application/json"})
    healthz = raw_request("GET", "/healthz")
    health: list[Slice] = []
    checks: list[Slice] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {"THATGIA_DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        with serving(env) as served:

            def load(request: bytes, seconds: int) -> Slice:
                return measure(
                    served.base,
                    served.cpu_seconds,
                    [request],
                    seconds=seconds,
                    connections=CONNECTIONS,
                )

            load(healthz, WARM_UP_SECONDS)
            load(check, WARM_UP_SECONDS)
            for _ in range(ROUNDS):
                health.append(load(healthz, SLICE_SECONDS))
                checks.append(load(check, SLICE_SECONDS))
    print(
        f"wrk, {CONNECTIONS} connections, {ROUNDS} alternating {SLICE_SECONDS} s slices of each;"
        " median (min–max) over the slices"
    )
    print(summary("GET  /healthz ", health))
    print(summary("POST /v1/check", checks) + "  (1 KB message, audit on)")
    print(
        f"ratio check / healthz: {spread(ratios(checks, health), '.3f')}"
        "  (each check slice against the /healthz slice before it)"
    )
    cpu = [
        c.cpu_ms / h.cpu_ms
        for h, c in zip(health, checks, strict=True)
        if c.cpu_ms is not None and h.cpu_ms
    ]
    if cpu:
        print(f"server CPU per request, check / healthz: {spread(cpu, '.1f')}")
