"""Engine cost per assessment for a 1 KB and a 100 KB message; linear means ratio <= 100.
The 1 KB message is measured with the learned layer and with the rules alone: the layer
may cost at most half as much again (ratio <= 1.5)."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from app.engine.assess import assess
from app.engine.claim import VIETNAM, Claim, Context
from app.engine.learned import text_layer
from app.engine.reference import load_reference
from bench.messages import message_of

RECEIVED = dt.datetime(2025, 11, 21, 10, 0, tzinfo=VIETNAM)


def median_ms(text: str, runs: int, learned: bool = True) -> float:
    reference = load_reference()
    context = Context(reference=reference, text_layer=text_layer(reference) if learned else None)
    claim = Claim(message=text, received_at=RECEIVED)
    assess(claim, context)  # warm caches (compiled patterns, lexicon, the model's words)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        assess(claim, context)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def run() -> None:
    rules = median_ms(message_of(1_000), runs=300, learned=False)
    small = median_ms(message_of(1_000), runs=300)
    large = median_ms(message_of(100_000), runs=15)
    print(f"engine  1 KB message : median {rules:8.3f} ms per assessment, rules alone")
    print(f"engine  1 KB message : median {small:8.3f} ms per assessment (target <= 1 ms)")
    print(f"learned layer / rules: {small / rules:8.2f}  (target <= 1.5)")
    print(f"engine 100 KB message: median {large:8.3f} ms per assessment")
    print(f"ratio 100 KB / 1 KB  : {large / small:8.1f}  (linear cost means <= 100)")
