"""Slices of load from wrk against a server the bench started, with the server's CPU time.

CPU time per request is read from /proc before and after each slice: on a machine shared
with other work it moves far less than the rates do.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.wrk import WrkResult, run_wrk


@dataclass(frozen=True)
class Slice:
    load: WrkResult
    cpu_ms: float | None  # the server's CPU time per request, None where /proc is silent


def measure(
    base: str,
    cpu_seconds: Callable[[], float | None],
    requests: Sequence[bytes],
    *,
    seconds: int,
    connections: int,
) -> Slice:
    """One slice of wrk load on `base`; `cpu_seconds` reads the server's CPU time so far."""
    before = cpu_seconds()
    load = run_wrk(base, requests, seconds=seconds, connections=connections)
    after = cpu_seconds()
    cpu = None
    if before is not None and after is not None and load.requests:
        cpu = (after - before) * 1000 / load.requests
    return Slice(load, cpu)


def spread(values: Sequence[float], form: str) -> str:
    """The median of `values`, then their range: `12.0 (11.0–13.0)`."""
    ordered = sorted(values)
    middle = statistics.median(ordered)
    return f"{middle:{form}} ({ordered[0]:{form}}–{ordered[-1]:{form}})"


def summary(label: str, slices: Sequence[Slice], unit: str = "req/s") -> str:
    """One line: rate, median latency, errors and CPU per request over `slices`."""
    cpu = [s.cpu_ms for s in slices if s.cpu_ms is not None]
    per = unit.split("/")[0]
    return (
        f"{label}: {spread([s.load.rps for s in slices], '6.0f')} {unit}"
        f"  p50 {statistics.median(s.load.p50_ms for s in slices):6.2f} ms"
        f"  errors {sum(s.load.errors for s in slices)}"
        + (f"  server CPU {spread(cpu, '5.3f')} ms/{per}" if cpu else "")
    )


def ratios(numerators: Sequence[Slice], denominators: Sequence[Slice]) -> list[float]:
    """Rate over rate, slice by slice (each numerator slice against its denominator)."""
    return [n.load.rps / d.load.rps for n, d in zip(numerators, denominators, strict=True)]
