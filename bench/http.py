"""POST /v1/check (1 KB message) against GET /healthz: same server, same client, same run."""

from __future__ import annotations

import tempfile

from bench.load import measure
from bench.messages import message_of
from bench.server import running_server


def run() -> None:
    body = {"message": message_of(1_000), "channel": "zalo"}
    with tempfile.TemporaryDirectory() as tmp:
        env = {"THATGIA_DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        with running_server(env) as base:
            health = measure("GET", f"{base}/healthz", seconds=4)
            check = measure("POST", f"{base}/v1/check", seconds=4, json=body)
    print(
        f"GET  /healthz  : {health.rps:8.0f} req/s  median {health.median_ms:6.2f} ms"
        f"  errors {health.errors}"
    )
    print(
        f"POST /v1/check : {check.rps:8.0f} req/s  median {check.median_ms:6.2f} ms"
        f"  errors {check.errors}  (1 KB message, audit as configured)"
    )
    print(f"ratio check / healthz: {check.rps / health.rps:.2f}  (target >= 0.5)")
