"""The published sample messages come out with their expected verdicts and codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "examples.jsonl"


def load_samples() -> list[dict[str, Any]]:
    if not SAMPLES.exists():
        pytest.fail(f"sample file missing: {SAMPLES} (the shared folder sits beside the repo)")
    return [
        json.loads(line)
        for line in SAMPLES.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize("case", load_samples(), ids=lambda c: c["verdict"])
async def test_sample_gets_its_verdict_and_codes(
    client: httpx.AsyncClient, case: dict[str, Any]
) -> None:
    body = (await client.post("/v1/check", json=case["body"])).json()
    codes = {f["code"] for f in body["findings"]}
    assert body["verdict"] == case["verdict"], codes
    assert set(case["codes"]) <= codes
