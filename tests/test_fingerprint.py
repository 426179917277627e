"""Campaign fingerprints on the generated test set (tests/campaign_variants.py): a reported
scam's variants match it; genuine texts of the same topic match no reported scam."""

from __future__ import annotations

from collections import Counter
from functools import cache

import numpy as np
import pytest

from app import fingerprint as fp
from app.engine.validators.fold import fold_plain
from tests.campaign_variants import CHANGES, Labelled, corpus, variants
from tests.shared_data import shared_path


def signature(text: str) -> fp.Signature | None:
    return fp.fingerprint(fold_plain(text))


@cache
def reported() -> tuple[list[Labelled], np.typing.NDArray[np.uint32]]:
    """The corpus's scams that have a fingerprint, and their signatures stacked."""
    scams = [(s, signature(s.text)) for s in corpus("scam")]
    kept = [(s, sig) for s, sig in scams if sig is not None]
    return [s for s, _ in kept], np.stack([sig for _, sig in kept])


def best_match(text: str) -> tuple[float, str]:
    """The similarity of a text to the reported scam it most resembles, and that scam's id."""
    scams, signatures = reported()
    mine = signature(text)
    if mine is None:
        return 0.0, ""
    shares = (signatures == mine).mean(axis=1)
    best = int(shares.argmax())
    return float(shares[best]), scams[best].id


def test_almost_every_scam_of_the_corpus_has_a_fingerprint() -> None:
    scams, _ = reported()
    assert len(scams) >= 0.99 * len(corpus("scam"))


@cache
def missed_by_change() -> tuple[Counter[str], Counter[str]]:
    scams, signatures = reported()
    missed: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    for scam, own in zip(scams, signatures, strict=True):
        for variant in variants(scam):
            tried[variant.change] += 1
            other = signature(variant.text)
            if other is None or fp.similarity(own, other) < fp.SAME_CAMPAIGN:
                missed[variant.change] += 1
    return missed, tried


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_variant_changing_one_thing_matches_its_scam(change: str) -> None:
    missed, tried = missed_by_change()
    assert tried[change] > 1000
    assert missed[change] == 0


def test_variants_changing_everything_at_once_match_their_scam_nearly_always() -> None:
    missed, tried = missed_by_change()
    assert missed["all_at_once"] <= 0.01 * tried["all_at_once"]


def test_no_genuine_message_of_the_corpus_matches_a_reported_scam() -> None:
    """Support replies, published warnings quoting scammers, notices, chatter about PINs:
    of the same topic as the scams, none of them is one."""
    matched = [(g.id, *best_match(g.text)) for g in corpus("genuine")]
    assert [m for m in matched if m[1] >= fp.SAME_CAMPAIGN] == []


def test_no_treasury_notice_nor_any_part_of_one_matches_a_reported_scam() -> None:
    notices = sorted(shared_path("notices").glob("*.txt"))
    assert notices
    for notice in notices:
        text = notice.read_text(encoding="utf-8")
        parts = [text] + [p for p in text.split("\n\n") if len(p) > 200]
        for part in parts:
            similarity, scam = best_match(part)
            assert similarity < fp.SAME_CAMPAIGN, (notice.name, scam, part[:80])


def test_a_short_text_gets_no_fingerprint() -> None:
    assert signature("Gọi lại em số 0912 345 678 nhé") is None


def test_signatures_survive_the_database() -> None:
    made = signature(corpus("scam")[0].text)
    assert made is not None
    back = fp.from_bytes(fp.to_bytes(made))
    assert back is not None and np.array_equal(back, made)
    assert fp.from_bytes(b"\x00" * 12) is None


def test_band_keys_are_signed_63_bit_and_agree_where_signatures_do() -> None:
    made = signature(corpus("scam")[0].text)
    assert made is not None
    keys = fp.band_keys(made)
    assert len(keys) == fp.BANDS
    assert all(0 <= key < 2**63 for key in keys)
    changed = made.copy()
    changed[0] ^= 1  # only the first band differs
    assert fp.band_keys(changed)[1:] == keys[1:]
    assert fp.band_keys(changed)[0] != keys[0]
