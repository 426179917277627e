"""The labelled messages the model learns from, read into sentences with their labels.

A line of an authors' file (tests/corpus/BRIEF.md): {"id", "label": "scam"|"genuine",
"author", "claim": {...}, "codes": [code or [alternatives]], "asks": [verbatim sentences
or clauses that make the requests]}. A sentence of a scam asks when most of its words are
in one of the `asks`, or most of an `asks` is in it. Every sentence of a genuine message
asks nothing.

The older in-house corpus (tests/corpus/messages.jsonl) is labelled scam or genuine only;
the rules were built on it and find every scam's requests there, so its scams' codes and
asking clauses are the rules' findings (`ruled_rows`). The Treasury's notices are genuine
texts, every sentence of them asks nothing (`notice_rows`). Both are always trained on
and never one of the authors left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.engine.assess import assess
from app.engine.claim import Channel, Claim, Context
from app.engine.learned.features import Sentence
from app.engine.learned.layer import judged
from app.engine.reference.models import Reference
from app.engine.validators.wordforms import Words

CLAIM_FIELDS = ("sender", "phone", "extension", "ticket_code")
IN_HOUSE = "in-house"
DEFAULT_RECEIVED = "2025-11-21T10:00:00+07:00"


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled message."""

    id: str
    author: str
    scam: bool
    claim: dict[str, Any]
    codes: tuple[frozenset[str], ...]  # each labelled code, as its set of alternatives
    asks: tuple[str, ...]

    @property
    def message(self) -> str:
        return str(self.claim.get("message", ""))

    @property
    def all_codes(self) -> frozenset[str]:
        return frozenset().union(*self.codes)


def row_of(raw: dict[str, Any]) -> Row:
    codes = tuple(frozenset(c if isinstance(c, list) else [c]) for c in raw.get("codes", []))
    return Row(
        str(raw["id"]),
        str(raw.get("author", "")),
        raw["label"] == "scam",
        dict(raw["claim"]),
        codes,
        tuple(raw.get("asks", [])),
    )


def load_rows(paths: Iterable[Path]) -> list[Row]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(row_of(json.loads(line)))
    return rows


def notice_rows(paths: Iterable[Path]) -> list[Row]:
    return [
        Row(f"notice-{path.stem}", IN_HOUSE, False, {"message": path.read_text("utf-8")}, (), ())
        for path in paths
    ]


def ruled_rows(path: Path, reference: Reference) -> list[Row]:
    """The in-house corpus, its scams' codes and asking clauses from the rules."""
    context = Context(reference=reference)  # the rules alone
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        scam = raw["label"] == "scam"
        found = [f for f in assess(claim_of(raw["claim"]), context).findings if judged(f)]
        codes = tuple(dict.fromkeys(frozenset([f.code]) for f in found)) if scam else ()
        asks = tuple(f.evidence for f in found) if scam else ()
        rows.append(Row(str(raw["id"]), IN_HOUSE, scam, dict(raw["claim"]), codes, asks))
    return rows


def claim_of(raw: dict[str, Any]) -> Claim:
    """The claim of a corpus line; an unknown channel is no channel."""
    channel = raw.get("channel")
    try:
        channel_value = Channel(channel) if channel else None
    except ValueError:
        channel_value = None
    return Claim(
        message=raw.get("message", ""),
        channel=channel_value,
        received_at=dt.datetime.fromisoformat(raw.get("received_at") or DEFAULT_RECEIVED),
        **{name: raw[name] for name in CLAIM_FIELDS if raw.get(name)},
    )


def corpus_hash(paths: Iterable[Path]) -> str:
    """SHA-256 over the files' names and bytes, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def asking(row: Row, sentences: list[Sentence], words: Words) -> list[bool]:
    """Which sentences of a scam ask: most of their words lie in one of the `asks`, or
    most of an `asks` lies in them."""
    flags = [False] * len(sentences)
    text = row.message
    for ask in row.asks:
        lo = text.find(ask)
        if lo < 0 or not ask.strip():
            continue
        hi = lo + len(ask)
        inside = [i for i in range(len(words)) if lo <= words.starts[i] and words.ends[i] <= hi]
        for j, s in enumerate(sentences):
            shared = sum(1 for i in inside if s.lo <= i < s.hi)
            if shared and (2 * shared >= s.hi - s.lo or 2 * shared >= len(inside)):
                flags[j] = True
    return flags
