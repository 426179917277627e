"""Hostile mail: CPU per KB of reading and assessing each shape of tests/hostile_mail.py at
1x, 2x, 4x and 8x its size. Linear work keeps the cost per KB flat (bounded work makes it
fall): the cost per KB at the largest size over that at the smallest should stay within 1.5.
"""

from __future__ import annotations

import time

from app.engine.assess import assess
from app.engine.claim import Context
from app.engine.reference import load_reference
from app.mail.check import mail_claim, structure_findings
from app.mail.parse import parse_message
from tests.hostile_mail import SHAPES

SCALES = (1, 2, 4, 8)
REPEATS = 5


def cpu_seconds(raw: bytes, context: Context) -> float:
    """Least CPU time of REPEATS runs: read the mail, its findings, the engine."""
    best = float("inf")
    for _ in range(REPEATS):
        started = time.thread_time()
        parsed = parse_message(raw)
        structure_findings(parsed, None, context.reference)
        assess(mail_claim(parsed), context)
        best = min(best, time.thread_time() - started)
    return best


def run() -> None:
    context = Context(reference=load_reference())
    print(f"{'shape':32} " + " ".join(f"{f'{s}x ms/KB':>11}" for s in SCALES) + "  8x/1x")
    for name, make in SHAPES.items():
        per_kb = []
        for scale in SCALES:
            raw = make(scale)
            per_kb.append(cpu_seconds(raw, context) * 1000 / (len(raw) / 1024))
        ratio = per_kb[-1] / per_kb[0]
        flag = "" if ratio <= 1.5 else "  (over 1.5)"
        print(f"{name:32} " + " ".join(f"{v:11.4f}" for v in per_kb) + f"  {ratio:7.2f}{flag}")
