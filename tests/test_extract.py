"""Identifiers found in a message, with their places."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.extract import _ADDRESS, _masked, extract
from app.engine.findings import Span
from app.engine.reference.models import Reference


def spans(matches: Iterable[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def test_an_address_after_another_it_overlaps_is_not_found_twice() -> None:
    assert spans(_ADDRESS.finditer("a@b.com@c.com")) == [(0, 7)]


def test_a_local_part_longer_than_64_characters_is_no_address() -> None:
    assert spans(_ADDRESS.finditer("x" * 65 + "@vst.gov.vn")) == []
    assert spans(_ADDRESS.finditer("x" * 64 + "@vst.gov.vn")) == [(0, 75)]


def test_addresses_in_a_message_are_extracted_with_their_spans(reference: Reference) -> None:
    text = "Liên hệ hotrocntt@vst.gov.vn hoặc hotro.kbnn@gmail.com."
    senders = extract(text, reference).senders
    assert [(s.address, text[s.span.start : s.span.end]) for s in senders if s.span] == [
        ("hotrocntt@vst.gov.vn", "hotrocntt@vst.gov.vn"),
        ("hotro.kbnn@gmail.com", "hotro.kbnn@gmail.com"),
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=80),
    st.lists(st.tuples(st.integers(0, 80), st.integers(0, 20)), max_size=6),
)
def test_claimed_spans_are_blanked_and_nothing_else(text: str, cuts: list[tuple[int, int]]) -> None:
    spans = [Span(min(start, len(text)), min(start + size, len(text))) for start, size in cuts]
    expected = "".join(
        " " if any(s.start <= i < s.end for s in spans) else ch for i, ch in enumerate(text)
    )
    assert _masked(text, spans) == expected
