"""Amounts and "<name> CA" vendors, recognised by shape where the lexicon lists none."""

from __future__ import annotations

from app.engine.reference.models import Reference
from app.engine.validators.textlexicon import compiled


def _shaped(text: str, ref: Reference) -> list[str]:
    c = compiled(ref)
    words = c.norm.tokens(text)
    found = [c.shapes.at(words, text, i) for i in c.shapes.candidates(words.keys)]
    return [text[words.starts[h.lo] : words.ends[h.hi - 1]] for h in found if h is not None]


def test_amounts_with_a_unit(reference: Reference) -> None:
    assert _shaped("chuyển 500k phí và 2 triệu tiền cọc", reference) == ["500k", "2 triệu"]


def test_numbers_without_a_unit_are_no_amounts(reference: Reference) -> None:
    assert _shaped("gọi 024 6276 4300, máy lẻ 88617", reference) == []
    assert _shaped("2. triệu", reference) == []  # the unit is in the next sentence


def test_vendors_named_with_the_suffix_as_written(reference: Reference) -> None:
    assert _shaped("chuyển sang Xyz CA hoặc AbcCA", reference) == ["Xyz CA", "AbcCA"]
    assert _shaped("xyz ca sáng", reference) == []


def test_candidates_come_in_word_order(reference: Reference) -> None:
    c = compiled(reference)
    keys = c.norm.tokens("Xyz CA 500k abc 3 tr").keys
    assert c.shapes.candidates(keys) == [0, 1, 2, 4]
