"""A real thatgia server in a child process, on a free loopback port, for benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:<port>
    pid: int

    def cpu_seconds(self) -> float | None:
        """CPU time the server process has used so far (all its threads)."""
        return cpu_seconds(self.pid)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, all threads) process `pid` has used so far, or None where
    /proc does not say (not Linux, or gone): a figure the load's client does not blur."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def migrate(env: dict[str, str]) -> None:
    """As `make serve` does: the schema of the environment's database, before the child
    that uses it starts (so checks are stored as in production)."""
    subprocess.run(
        [sys.executable, "-m", "app.cli.main", "db", "upgrade"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextmanager
def serving(env: dict[str, str] | None = None, workers: int = 1) -> Iterator[Served]:
    """Start `thatgia serve` with extra environment; yield it; stop it."""
    port = free_port()
    child_env = {**os.environ, **(env or {})}
    migrate(child_env)
    command = [
        sys.executable,
        "-m",
        "app.cli.main",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(
        command, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield Served(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"server exited early: {err[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not come up within 60 s")
