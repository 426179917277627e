"""Instructions per request, counted by callgrind: a figure the machine's noise does not move.

Each kind of request runs in a child process under `valgrind --tool=callgrind` (bench.drive:
the ASGI app in-process, no socket, no uvicorn); the same child with no requests, only the
start-up and the warm-up, is subtracted. GET /healthz is the baseline. Opt-in, as it takes
a few minutes: `make bench SUITES=instructions` (needs valgrind: apt-get install valgrind).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.drive import REQUESTS_PER_ROUND
from bench.server import migrate

ROUNDS = 200  # rounds of bench.drive (REQUESTS_PER_ROUND says how many requests a round is)
_COLLECTED = re.compile(r"Collected : (\d+)")


@dataclass(frozen=True)
class Run:
    what: str
    rounds: int
    env: tuple[tuple[str, str], ...] = ()

    @property
    def requests(self) -> int:
        return self.rounds * REQUESTS_PER_ROUND[self.what]


def instructions(run: Run, database: Path) -> int:
    """Instructions the child executed, start-up included."""
    env = {**os.environ, **dict(run.env), "THATGIA_DATABASE_URL": f"sqlite:///{database}"}
    # The same hash seed every time, so that dicts and sets do the same work in each child.
    env["PYTHONHASHSEED"] = "0"
    migrate(env)
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.drive",
        run.what,
        str(run.rounds),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{' '.join(command[-3:])} failed: {done.stderr[-2000:]}")
    return int(found.group(1))


def per_request(runs: list[Run]) -> dict[Run, float]:
    """Instructions per request of each run, the start-up of the same setting subtracted;
    two children at a time (one per core)."""
    bases = {run.env: Run("healthz", 0, run.env) for run in runs}
    every = [*bases.values(), *runs]
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        counts = dict(
            zip(
                every,
                pool.map(lambda r: instructions(r, Path(tmp) / f"{id(r)}.db"), every),
                strict=True,
            )
        )
    return {run: (counts[run] - counts[bases[run.env]]) / run.requests for run in runs}


def run() -> None:
    if shutil.which("valgrind") is None:
        print("valgrind not found: apt-get install valgrind (nothing measured)")
        return
    healthz = Run("healthz", ROUNDS)
    alone = Run("check", ROUNDS)
    eight = ROUNDS // REQUESTS_PER_ROUND["check8"]
    loaded = Run("check8", eight)
    no_audit = Run("check8", eight, (("THATGIA_AUDIT_ENABLED", "false"),))
    counted = per_request([healthz, alone, loaded, no_audit])
    base = counted[healthz]
    rows = [
        ("GET  /healthz", healthz, "(baseline)"),
        ("POST /v1/check, one at a time", alone, ""),
        ("POST /v1/check, eight at a time", loaded, ""),
        ("POST /v1/check, eight, audit off", no_audit, ""),
    ]
    for label, measured, note in rows:
        figure = counted[measured]
        ratio = note or f"{figure / base:6.1f}x /healthz"
        print(f"{label:33s}: {figure / 1e6:6.2f} M instructions per request  {ratio}")
    audit = counted[loaded] - counted[no_audit]
    label = "the audit record and its write"
    print(f"{label:33s}: {audit / 1e6:6.2f} M instructions per check (eight at a time)")
