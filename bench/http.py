"""POST /v1/check (1 KB message) against GET /healthz: same server, same client, same run."""

from __future__ import annotations

import tempfile

from bench.load import LoadResult, measure
from bench.messages import message_of
from bench.server import running_server

# Alternating loads, the best of each kept: a moment when the machine is busy with
# something else slows one slice, not one side of the ratio.
ROUNDS = 3
SLICE_SECONDS = 2.0


def _best(results: list[LoadResult]) -> LoadResult:
    return max(results, key=lambda r: r.rps)


def run() -> None:
    body = {"message": message_of(1_000), "channel": "zalo"}
    healths, checks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        env = {"THATGIA_DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        with running_server(env) as base:
            for _ in range(ROUNDS):
                healths.append(measure("GET", f"{base}/healthz", seconds=SLICE_SECONDS))
                checks.append(measure("POST", f"{base}/v1/check", seconds=SLICE_SECONDS, json=body))
    health, check = _best(healths), _best(checks)
    print(
        f"GET  /healthz  : {health.rps:8.0f} req/s  median {health.median_ms:6.2f} ms"
        f"  errors {sum(r.errors for r in healths)}"
    )
    print(
        f"POST /v1/check : {check.rps:8.0f} req/s  median {check.median_ms:6.2f} ms"
        f"  errors {sum(r.errors for r in checks)}  (1 KB message, audit as configured)"
    )
    print(
        f"ratio check / healthz: {check.rps / health.rps:.2f}  (target >= 0.5; "
        f"best of {ROUNDS} alternating {SLICE_SECONDS:.0f} s slices each)"
    )
