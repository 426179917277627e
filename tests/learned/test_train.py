"""Training: the same corpus gives the same coefficients, the cross-validation measures
what the engine does, and the shipped model is the one the corpus as it stands gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.engine.assess import assess
from app.engine.claim import Context
from app.engine.learned import LearnedLayer, cached_model, text_layer
from app.engine.learned.corpus import claim_of, corpus_hash, load_rows, notice_rows, ruled_rows
from app.engine.learned.crossval import Tally, case_of, outcome
from app.engine.learned.fit import fit, prepare
from app.engine.learned.model import coefficients_hash
from app.engine.reference.models import Reference
from tests.corpus.score import load, score, summary
from tests.shared_data import shared_path

CORPUS = Path(__file__).parents[1] / "corpus"
AUTHORS = sorted((CORPUS / "authors").glob("*.jsonl"))


def _hash_of_a_fit(reference: Reference, take: int) -> str:
    rows = [r for path in AUTHORS[:2] for r in load_rows([path])[:take]]
    p = prepare(rows, reference, bits=12)
    weights, intercepts = fit(p, np.ones(len(rows), dtype=bool))
    return coefficients_hash(weights, intercepts)


def test_training_twice_on_one_corpus_gives_the_same_coefficients(reference: Reference) -> None:
    first = _hash_of_a_fit(reference, 40)
    assert _hash_of_a_fit(reference, 40) == first
    assert _hash_of_a_fit(reference, 39) != first  # and another corpus, others


def test_the_corpus_the_shipped_model_was_trained_on_is_as_it_stands() -> None:
    """The files it names are unchanged (new sets may come, scored at first sight before
    the model is trained on them)."""
    places = [CORPUS / "authors", CORPUS, shared_path("notices")]
    meta = cached_model().meta
    files = [
        next(p / name for p in places if (p / name).exists()) for name in meta["corpus"]["files"]
    ]
    assert meta["corpus"]["sha256"] == corpus_hash(files), "run `make model`"
    assert {"au01.jsonl", "messages.jsonl"} <= {f.name for f in files}


@pytest.fixture(scope="module")
def layer(reference: Reference) -> LearnedLayer:
    return text_layer(reference)


def test_the_cross_validation_counts_what_the_engine_does(
    reference: Reference, layer: LearnedLayer
) -> None:
    rules = Context(reference=reference)
    learned = Context(reference=reference, text_layer=layer)
    for row in load_rows(AUTHORS[:1]):
        claim = claim_of(row.claim)
        case = case_of(row, assess(claim, rules).findings, layer.scores(row.message))
        caught, codes = outcome(case, layer.model.thresholds)
        engine = assess(claim, learned)
        assert caught == (engine.verdict.value == "impersonation"), row.id
        assert codes == {f.code for f in engine.findings if f.code.startswith("request.")}, row.id


def test_the_tally_counts_as_the_quality_report_does(reference: Reference) -> None:
    rows = load_rows(AUTHORS[:1])
    rules = Context(reference=reference)
    tally = Tally()
    for row in rows:
        found = assess(claim_of(row.claim), rules).findings
        requested = frozenset(f.code for f in found if f.code.startswith("request."))
        tally.add(row, any(f.severity.value == "danger" for f in found), requested)
    report = summary(score(load(AUTHORS[:1]), rules_only=True))
    assert (tally.scams, tally.caught, tally.codes_right) == (
        report["scams"],
        report["scams_caught"],
        report["scams_codes_right"],
    )
    assert (tally.genuine, tally.false_alarm) == (report["genuine"], report["genuine_false_alarm"])


def test_the_in_house_corpus_and_notices_are_trained_on_as_genuine_or_ruled(
    reference: Reference,
) -> None:
    ruled = ruled_rows(CORPUS / "messages.jsonl", reference)
    scams = [r for r in ruled if r.scam]
    assert all(r.author == "in-house" for r in ruled)
    assert sum(bool(r.codes) for r in scams) > 0.9 * len(scams)
    assert all(not r.codes and not r.asks for r in ruled if not r.scam)
    notices = notice_rows(sorted(shared_path("notices").glob("*.txt")))
    assert notices and all(not r.scam and not r.asks for r in notices)
