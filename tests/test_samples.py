"""The published sample messages come out with their expected verdicts and codes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.shared_data import shared_path

SAMPLES = shared_path("samples/examples.jsonl")


def load_samples() -> list[dict[str, Any]]:
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
