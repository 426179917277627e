"""Reading quality held to the targets on a fixed sample of drawn corpus screenshots (the
README's figures come from a larger sample: python -m tests.ocr.measure --count 300)."""

from __future__ import annotations

from app.ocr.prepare import Preparation
from tests.ocr.conftest import need_tesseract
from tests.ocr.measure import measure, summarise


def test_drawn_screenshots_read_within_the_targets() -> None:
    need_tesseract()
    measured = measure(24, seed=5, steps=Preparation())
    summary = summarise(measured)
    assert summary.cer <= 3.0, summary.line("all")
    assert summary.verdict >= 95.0, summary.line("all")
    assert summary.requests >= 90.0, summary.line("all")
