"""Fingerprints of message texts, to know a reported campaign again when it is re-sent.

A scammer sends one text to many units and changes the details between sends: the name,
the phone number, the link, the amount, the ticket code, the greeting, the order of the
sentences, the diacritics. The fingerprint is a MinHash signature (Broder 1997) of the
set of word pairs of the folded text, each pair taken inside one clause, so that:

- diacritics and case do not count (the text is folded as the engine folds it);
- numbers, links and addresses do not count (they are dropped before the words are read);
- a changed name or greeting changes the few pairs around it, not the rest;
- sentences moved around keep their pairs (no pair spans two clauses).

Two texts' signatures agree in about the share of positions that their pair sets share
(their Jaccard similarity). Signatures are cut into bands; a text is looked up by the keys
of its bands (locality-sensitive hashing), and the candidates found are compared whole.
The numbers below were chosen on the variant test set (tests/test_fingerprint.py) and the
benchmark (bench/bench_fingerprint.py); the README gives the figures.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

PERMUTATIONS = 128
BAND_ROWS = 4
BANDS = PERMUTATIONS // BAND_ROWS
# Below this many word pairs a text says too little to be told from others of its topic.
MIN_SHINGLES = 10
# Signatures agreeing in at least this share of positions are the same campaign. Half was
# too little: real support replies scored up to 0.56 against scams copied from them.
SAME_CAMPAIGN = 0.6
# Longest text read: a campaign is known by its beginning as well as by its whole.
MAX_CHARS = 4_000

Signature = npt.NDArray[np.uint32]

_rng = np.random.default_rng(20261207)  # fixed: fingerprints are stored and compared later
_MASKS = _rng.integers(0, 2**64 - 1, size=PERMUTATIONS, dtype=np.uint64, endpoint=True)
_ODDS = _rng.integers(0, 2**63 - 1, size=PERMUTATIONS, dtype=np.uint64) * 2 + 1
_BAND_MIX = _rng.integers(0, 2**63 - 1, size=BAND_ROWS, dtype=np.uint64) * 2 + 1
_BAND_SALT = np.arange(BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)

# What varies between sends of one campaign is dropped before the words are read: every
# whitespace-separated piece holding a digit (phones, amounts, dates, ticket codes), an
# address or a link. One piece at a time: a pattern over the whole text spanning links and
# numbers took twice as long (bench/campaigns.py).
_VARYING = re.compile(r"[\d@]|://|\w\.\w")
_CLAUSE_BREAKS = frozenset('.!?;:,()[]"“”')
_WORD_OR_BREAK = re.compile(r"[^\W\d_]{2,}|[.!?;:,()\[\]\"“”]")


def _clauses(folded: str) -> list[list[str]]:
    """The words of each clause, with the varying pieces dropped.

    Four pieces in five are a word alone, one in ten a word and the break after it: those
    are read with str.isalpha, which says what the two patterns would (a piece of letters
    holds no digit, no '@', no '.', and is one word: tests/test_fingerprint_reference.py),
    and the patterns read the rest. This buys a third of a check's instructions (1.73 M to
    1.15 M, callgrind, the 400 texts of bench/campaigns.py), a quarter of its time (median
    0.235 to 0.175 ms, 90th percentile 0.365 to 0.261 ms, variants, alternating rounds)."""
    clauses: list[list[str]] = []
    for line in folded[:MAX_CHARS].split("\n"):
        words: list[str] = []
        for piece in line.split():
            if piece.isalpha():
                if len(piece) > 1:
                    words.append(piece)
                continue
            last = piece[-1]
            if last in _CLAUSE_BREAKS and piece[:-1].isalpha():
                if len(piece) > 2:
                    words.append(piece[:-1])
                clauses.append(words)
                words = []
                continue
            if _VARYING.search(piece):
                tokens = [last] if last in _CLAUSE_BREAKS else []
            else:
                tokens = _WORD_OR_BREAK.findall(piece)
            for token in tokens:
                if token in _CLAUSE_BREAKS:
                    clauses.append(words)
                    words = []
                else:
                    words.append(token)
        clauses.append(words)
    return clauses


def shingles(folded: str) -> set[str]:
    """The word pairs of each clause of a folded text (a one-word clause is its word).

    Each pair is joined by map over itertools.pairwise, with no generator step per pair:
    checks of bench/campaigns.py 8 % faster for variants, 13 % for genuine messages, at the
    median and the 90th percentile (0.201 to 0.184 ms and 0.172 to 0.149 ms at the 90th
    percentile, 40 alternating rounds), against an f-string per pair of zip(words, words[1:])."""
    found: set[str] = set()
    for words in _clauses(folded):
        if len(words) == 1:
            found.add(words[0])
        elif words:
            found.update(map(" ".join, pairwise(words)))
    return found


def signature_of(items: set[str]) -> Signature:
    """The MinHash signature of a set: per permutation, the least hash of its items."""
    hashes = np.fromiter(
        (zlib.crc32(item.encode()) for item in items), dtype=np.uint64, count=len(items)
    )
    hashes = (hashes << np.uint64(32)) | hashes  # spread the 32 bits over the word
    mixed = (hashes[:, None] ^ _MASKS[None, :]) * _ODDS[None, :]
    result: Signature = (mixed.min(axis=0) >> np.uint64(32)).astype(np.uint32)
    return result


def fingerprint(folded: str) -> Signature | None:
    """The signature of a folded text, or None when it has too few word pairs."""
    items = shingles(folded)
    if len(items) < MIN_SHINGLES:
        return None
    return signature_of(items)


def band_key_rows(signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """The band keys of signatures laid out one per row: a row of BANDS keys for each."""
    rows = signatures.astype(np.uint64).reshape(-1, BANDS, BAND_ROWS)
    mixed = (rows * _BAND_MIX).sum(axis=2) ^ _BAND_SALT
    keys: npt.NDArray[np.int64] = (mixed >> np.uint64(1)).astype(np.int64)
    return keys


def band_keys(signature: Signature) -> list[int]:
    """One key per band, a signed 63-bit integer (a BIGINT on every database)."""
    keys: list[int] = band_key_rows(signature)[0].tolist()
    return keys


def similarity(a: Signature, b: Signature) -> float:
    """The estimated Jaccard similarity of the two sets behind the signatures."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def shares(others: npt.NDArray[np.uint32], signature: Signature) -> npt.NDArray[np.float64]:
    """`similarity` of the signature to each of several, laid out one per row."""
    agreeing: npt.NDArray[np.float64] = (others == signature).sum(axis=1) / PERMUTATIONS
    return agreeing


def similarities(stored: bytes, signature: Signature) -> npt.NDArray[np.float64]:
    """`similarity` of the signature to each of several stored ones, laid end to end."""
    return shares(np.frombuffer(stored, dtype="<u4").reshape(-1, PERMUTATIONS), signature)


def to_bytes(signature: Signature) -> bytes:
    return signature.astype("<u4").tobytes()


def from_bytes(data: bytes) -> Signature | None:
    """A stored signature; None for bytes of another length (made with other settings)."""
    if len(data) != PERMUTATIONS * 4:
        return None
    result: Signature = np.frombuffer(data, dtype="<u4").astype(np.uint32)
    return result


@dataclass(frozen=True, slots=True)
class Match:
    """A stored fingerprint a text resembles, and how much."""

    key: int
    similarity: float
