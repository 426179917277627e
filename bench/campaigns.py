"""Campaign matching: what a check pays to be compared with 100,000 reported texts.

A migrated database (SQLite; PostgreSQL too when reachable, as in bench/audit.py) is filled
with 100,000 confirmed reported texts, each its own campaign (the worst case: variants of
one campaign share one fingerprint). The texts are made from the sentences of the labelled
corpus, shuffled and mixed, so that each is different and reads like the messages checked.
Then each probe (variants of stored texts, which match, and the corpus's genuine messages,
which do not) is checked as a check does it: its folded text fingerprinted
(app.checking.text_fingerprint) and looked up in the process's in-memory index of campaigns
(app.store.campaignindex), loaded from that database. The baseline, in the same run, is the
same against an index loaded from an empty database, in slices alternating with the full
one. Also given: the time and memory of loading the index, a refresh that finds nothing
new (what every process does every interval), and, for comparison, the look-up the index
replaced, asked of the database (app.store.campaigns.reported_text through Database.read).
Target: at most 0.2 ms per check against 100,000 texts.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy import text as sql

from app import fingerprint as fp
from app.config import Settings
from app.engine.validators.fold import fold_plain
from app.store.campaignindex import CampaignIndex
from app.store.campaigns import CANDIDATES, reported_text
from app.store.database import Database
from app.store.lookup import Lookup
from app.store.migrations import upgrade
from app.store.tables import Campaign, CampaignBand, utcnow
from app.store.urls import sync_url
from bench.audit import _postgres
from tests.campaign_variants import Labelled, corpus, variants

TEXTS = 100_000
PROBES = 400
ROUNDS = 5
_SENTENCE = re.compile(r"(?<=[.!?\n])\s+")


def _texts(count: int, seed: int = 11) -> list[str]:
    """`count` different texts of 3-8 sentences of the corpus's scams each, with six random
    words of them. Scams only: the genuine messages are the probes that must not match."""
    sentences = [s for item in corpus("scam") for s in _SENTENCE.split(item.text) if s]
    words = [w for s in sentences[:2000] for w in s.split()]
    rng = random.Random(seed)
    made = []
    for n in range(count):
        chosen = rng.sample(sentences, rng.randint(3, 8))
        chosen.insert(rng.randrange(len(chosen)), " ".join(rng.sample(words, 6)) + f" ({n}).")
        made.append(" ".join(chosen))
    return made


def _fill(url: str, texts: list[str]) -> int:
    engine = create_engine(sync_url(url))
    now = utcnow()
    stored = 0
    with engine.begin() as conn:
        batch: list[tuple[int, fp.Signature]] = []
        for text in texts:
            signature = fp.fingerprint(fold_plain(text))
            if signature is None:
                continue
            stored += 1
            batch.append((stored, signature))
            if len(batch) == 5000:
                _insert(conn, batch, now)
                batch = []
        _insert(conn, batch, now)
    if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sql("ANALYZE campaigns, campaign_bands"))
    engine.dispose()
    return stored


def _insert(conn: object, batch: list[tuple[int, fp.Signature]], now: object) -> None:
    if not batch:
        return
    campaigns = [
        {
            "id": i,
            "fingerprint": fp.to_bytes(s),
            "report_count": 1,
            "first_reported_at": now,
            "last_reported_at": now,
        }
        for i, s in batch
    ]
    bands = [
        {"band": key, "campaign_id": i} for i, s in batch for key in sorted(set(fp.band_keys(s)))
    ]
    conn.execute(insert(Campaign), campaigns)  # type: ignore[attr-defined]
    conn.execute(insert(CampaignBand), bands)  # type: ignore[attr-defined]


def _probes(stored: list[str]) -> tuple[list[str], list[str]]:
    rng = random.Random(5)
    hits: list[str] = []
    for text in rng.sample(stored, PROBES // 2):
        item = Labelled(str(len(hits)), "stored", text)
        hits.append(next(v.text for v in variants(item) if v.change == "all_at_once"))
    misses = [g.text for g in rng.sample(corpus("genuine"), PROBES // 2)]
    return hits, misses


def _text_of(lookup: Lookup, signature: fp.Signature) -> object:
    return reported_text(lookup, signature)


def _candidates(lookup: Lookup, keys: list[int]) -> Sequence[object]:
    return lookup(CANDIDATES, keys)


async def _slice(database: Database, signatures: list[fp.Signature]) -> tuple[float, int]:
    """Median ms of one database look-up of each fingerprint (computed beforehand); how many
    matched."""
    samples, matched = [], 0
    for signature in signatures:
        started = time.perf_counter()
        found = await database.read(partial(_text_of, signature=signature))
        samples.append((time.perf_counter() - started) * 1000)
        matched += found is not None
    return statistics.median(samples), matched


async def _compare_database(empty_url: str, full_url: str, probes: list[str]) -> str:
    """The database look-up the index replaced, against the empty and the full database in
    alternating slices: the medians, their difference, and the candidates per check."""
    signatures = [s for s in (fp.fingerprint(fold_plain(p)) for p in probes) if s is not None]
    empty, full = (
        Database(Settings(database_url=empty_url)),
        Database(Settings(database_url=full_url)),
    )
    try:
        empties, fulls, matched = [], [], 0
        for _ in range(ROUNDS):
            empties.append((await _slice(empty, signatures))[0])
            took, matched = await _slice(full, signatures)
            fulls.append(took)
        candidates = 0
        for signature in signatures:
            keys = fp.band_keys(signature)
            candidates += len(await full.read(partial(_candidates, keys=keys)))
    finally:
        await empty.dispose()
        await full.dispose()
    added = [f - e for f, e in zip(fulls, empties, strict=True)]
    return (
        f"database look-up alone (replaced) {statistics.median(fulls):.3f} ms, empty table "
        f"{statistics.median(empties):.3f} ms, added {statistics.median(added):+.3f} ms; "
        f"{matched}/{len(signatures)} matched; {candidates / len(signatures):.1f} candidates"
    )


def _checks(index: CampaignIndex, folded: list[str]) -> tuple[list[float], int]:
    """The ms each check pays for its text: the fingerprint, the look-up in memory; how
    many matched."""
    samples, matched = [], 0
    for text in folded:
        started = time.perf_counter()
        signature = fp.fingerprint(text)
        found = index.reported_text(signature) if signature is not None else None
        samples.append((time.perf_counter() - started) * 1000)
        matched += found is not None
    return samples, matched


def _compare_index(empty: CampaignIndex, full: CampaignIndex, probes: list[str]) -> str:
    """Checks against the empty and the full index in alternating slices (a busy moment of
    the machine falls on both): the medians and the range of their difference, and the
    90th percentile of all checks against the full index, and of each text's fastest round:
    other work on the machine slows some rounds of a text, seldom all of them."""
    folded = [fold_plain(p) for p in probes]
    empties, fulls, rounds, matched = [], [], [], 0
    for _ in range(ROUNDS):
        empties.append(statistics.median(_checks(empty, folded)[0]))
        took, matched = _checks(full, folded)
        fulls.append(statistics.median(took))
        rounds.append(took)
    every = [ms for took in rounds for ms in took]
    fastest = [min(text) for text in zip(*rounds, strict=True)]
    added = [f - e for f, e in zip(fulls, empties, strict=True)]
    return (
        f"fingerprint + look-up in memory, median {statistics.median(fulls):.3f} ms per "
        f"check (90th percentile {_p90(every):.3f} ms, of each text's fastest round "
        f"{_p90(fastest):.3f} ms), empty index "
        f"{statistics.median(empties):.3f} ms, added {statistics.median(added):+.3f} ms "
        f"({min(added):+.3f} to {max(added):+.3f} over {ROUNDS} alternating slices); "
        f"{matched}/{len(folded)} matched"
    )


def _p90(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=10)[-1]


async def _loaded(url: str) -> tuple[CampaignIndex, float]:
    index = CampaignIndex(Settings(database_url=url))
    started = time.perf_counter()
    await index.refresh()
    return index, time.perf_counter() - started


async def _index_costs(url: str) -> str:
    """Loading the index whole: time (median of three), memory held and at the peak of the
    load (tracemalloc, a load of its own), and a refresh that finds nothing new."""
    times = []
    for _ in range(3):
        index, took = await _loaded(url)
        times.append(took)
        index.dispose()
    tracemalloc.start()
    index, _ = await _loaded(url)
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    polls = []
    for _ in range(20):
        started = time.perf_counter()
        await index.refresh()
        polls.append((time.perf_counter() - started) * 1000)
    index.dispose()
    return (
        f"index load {statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f}); "
        f"held {held / 2**20:.0f} MiB ({index.nbytes / 2**20:.0f} MiB of arrays), peak during "
        f"the load {peak / 2**20:.0f} MiB; a refresh finding nothing new "
        f"{statistics.median(polls):.2f} ms"
    )


async def _index_suite(empty_url: str, full_url: str, probes: dict[str, list[str]]) -> list[str]:
    lines = [await _index_costs(full_url)]
    empty, _ = await _loaded(empty_url)
    full, _ = await _loaded(full_url)
    try:
        for label, texts in probes.items():
            lines.append(f"{label}: {_compare_index(empty, full, texts)}")
    finally:
        empty.dispose()
        full.dispose()
    return lines


def _fingerprint_only_ms(probes: list[str]) -> float:
    folded = [fold_plain(p) for p in probes]
    samples = []
    for text in folded * 3:
        started = time.perf_counter()
        fp.fingerprint(text)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _against_datasketch(probes: list[str]) -> None:
    """The signature of a set against datasketch's MinHash of the same 128 permutations,
    when datasketch is importable (it is not a dependency: PYTHONPATH=<a pip --target dir>)."""
    try:
        from datasketch import MinHash  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print("datasketch not importable: its comparison skipped")
        return
    sets = [fp.shingles(fold_plain(p)) for p in probes]

    def theirs(items: set[str]) -> object:
        made = MinHash(num_perm=fp.PERMUTATIONS)
        made.update_batch([item.encode() for item in items])
        return made

    for label, make in (("ours", fp.signature_of), ("datasketch MinHash", theirs)):
        samples = []
        for items in sets * 3:
            started = time.perf_counter()
            make(items)
            samples.append((time.perf_counter() - started) * 1000)
        print(f"signature of a set, {label}: median {statistics.median(samples):.3f} ms")


def _suite(name: str, empty_url: str, full_url: str, texts: list[str]) -> None:
    upgrade(empty_url)
    upgrade(full_url)
    hits, misses = _probes(texts)
    started = time.perf_counter()
    stored = _fill(full_url, texts)
    print(f"{name}: {stored:,} reported texts stored in {time.perf_counter() - started:.0f} s")
    probes = {"variants of stored texts": hits, "genuine messages": misses}
    for line in asyncio.run(_index_suite(empty_url, full_url, probes)):
        print(f"{name}: {line}")
    for label, texts_ in probes.items():
        print(f"{name}: {label}: {asyncio.run(_compare_database(empty_url, full_url, texts_))}")


def run() -> None:
    texts = _texts(TEXTS)
    probes = texts[:200] + [g.text for g in corpus("genuine")[:200]]
    print(f"fingerprint of a folded text: median {_fingerprint_only_ms(probes):.3f} ms per check")
    _against_datasketch(probes)
    with tempfile.TemporaryDirectory() as folder:
        empty, full = (f"sqlite:///{Path(folder) / name}.db" for name in ("empty", "full"))
        _suite("sqlite", empty, full, texts)
    with _postgres() as empty_schema, _postgres() as full_schema:
        if empty_schema is not None and full_schema is not None:
            _suite("postgresql", empty_schema, full_schema, texts)
