"""make bench: every capability's benchmark, each against a baseline from the same run."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from app.native import engine_build

# Each suite is a module bench/<name>.py with a run() -> None that prints its figures.
# Run only when named: `instructions` (callgrind, a few minutes) and `mailprofile` (where a
# mail check's time goes), e.g. make bench SUITES=mailprofile
SUITES = ["engine", "http", "audit", "mail", "mailauth", "hostile", "zalo", "campaigns", "ocr"]


def main(argv: list[str]) -> int:
    wanted = argv or SUITES
    # The same code runs several times faster or slower depending on this (setup.py).
    print(f"engine modules: {engine_build()}")
    # The figures are this machine's, and move with what else it is doing.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min) at the start\n")
    here = Path(__file__).parent
    for name in wanted:
        if not (here / f"{name}.py").exists():
            print(f"== {name}: no benchmark yet")
            continue
        print(f"== {name}")
        module = importlib.import_module(f"bench.{name}")
        module.run()
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
