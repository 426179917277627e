"""The authors' corpus is well formed: what make quality and the card read can be trusted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.engine.claim import Channel
from app.engine.learned.fit import CODES

AUTHORS = Path(__file__).parent / "corpus" / "authors"
REQUEST_CODES = set(CODES)  # the request codes of SPEC §5, as the learned layer names them


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("path", sorted(AUTHORS.glob("*.jsonl")), ids=lambda p: p.stem)
def test_each_message_is_labelled_and_its_asking_sentences_are_its_own(path: Path) -> None:
    rows = _rows(path)
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["author"] == path.stem and row["id"].startswith(path.stem)
        assert row["label"] in {"scam", "genuine"} and row["genre"] and row["style"]
        claim = row["claim"]
        assert claim["message"].strip()
        assert claim.get("channel") in {None, *(c.value for c in Channel)}
        codes = [c if isinstance(c, list) else [c] for c in row["codes"]]
        assert {code for alternatives in codes for code in alternatives} <= REQUEST_CODES
        assert bool(codes) == (row["label"] == "scam") == bool(row["asks"])
        assert all(ask in claim["message"] for ask in row["asks"]), row["id"]


def test_the_corpus_is_mostly_genuine_enough() -> None:
    rows = [r for path in AUTHORS.glob("*.jsonl") for r in _rows(path)]
    genuine = sum(r["label"] == "genuine" for r in rows)
    assert genuine / len(rows) >= 0.4
