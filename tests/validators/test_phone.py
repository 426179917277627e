"""Phones and extensions: the switchboard, its extensions, the misprint, mobiles."""

from __future__ import annotations

import json
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.extract import extract
from app.engine.reference.models import Reference
from app.engine.validators.phone import (
    ExtensionMention,
    check_extension,
    check_phone,
    find_extensions,
    find_phones,
    parse_phone,
)


def judge(value: str, reference: Reference) -> list[str]:
    return [f.code for f in check_phone(parse_phone(value), field="phone", reference=reference)]


@pytest.mark.parametrize(
    "value",
    [
        "02462764300",
        "024 6276 4300",
        "024.6276.4300",
        "024-6276-4300",
        "(024) 6276 4300",
        "+84 24 6276 4300",
        "+842462764300",
        "84 24 6276 4300",
        "(+84) 24.6276.4300",
    ],
)
def test_every_common_writing_of_the_switchboard_is_recognised(
    value: str, reference: Reference
) -> None:
    assert judge(value, reference) == ["phone.switchboard"]


@pytest.mark.parametrize("value", ["0246764300", "024 676 4300", "+84246764300"])
def test_the_misprinted_number_of_34_kbkh_is_danger(value: str, reference: Reference) -> None:
    found = check_phone(parse_phone(value), field="phone", reference=reference)
    assert [f.code for f in found] == ["phone.misprint"]
    assert found[0].sources == ("34/KBKH-KTNN",)


@pytest.mark.parametrize(
    "value", ["0901 234 567", "+84 901 234 567", "0987.654.321", "84912345678"]
)
def test_mobile_numbers_are_danger(value: str, reference: Reference) -> None:
    assert judge(value, reference) == ["phone.mobile"]


def test_another_landline_is_unofficial(reference: Reference) -> None:
    assert judge("028 3829 1234", reference) == ["phone.unofficial"]


@pytest.mark.parametrize("value", ["abc", "12", "024 1234 5678"])
def test_unusable_numbers_are_invalid_warnings(value: str, reference: Reference) -> None:
    assert judge(value, reference) == ["phone.invalid"]


def test_phones_are_found_in_text_with_their_spans(reference: Reference) -> None:
    text = "Gọi tổng đài 024.6276.4300 hoặc số 0901 234 567 của em."
    found = find_phones(text)
    assert [p.e164 for p in found] == ["+842462764300", "+84901234567"]
    for phone in found:
        assert phone.span is not None
        assert text[phone.span.start : phone.span.end] == phone.written


def library_matcher(text: str) -> list[tuple[int, int, str]]:
    """What phonenumbers' own matcher finds in the whole text, as (start, end, E.164)."""
    matcher = phonenumbers.PhoneNumberMatcher(text, "VN", leniency=phonenumbers.Leniency.POSSIBLE)
    e164 = phonenumbers.PhoneNumberFormat.E164
    return [(m.start, m.end, phonenumbers.format_number(m.number, e164)) for m in matcher]


def found_in(text: str) -> list[tuple[int, int, str | None]]:
    return [(p.span.start, p.span.end, p.e164) for p in find_phones(text) if p.span]


CORPUS = Path(__file__).parents[1] / "corpus" / "messages.jsonl"


def test_numbers_are_found_where_the_library_matcher_finds_them_in_the_corpus() -> None:
    """find_phones runs the matcher on the number-like windows of a text only."""
    messages = [json.loads(line)["claim"].get("message") or "" for line in CORPUS.open()]
    with_numbers = [m for m in messages if library_matcher(m)]
    assert len(with_numbers) >= 20
    for message in messages:
        assert found_in(message) == library_matcher(message), message


PIECES = [
    "024 6276 4300", "0901 234 567", "+84 24 6276 4300", "(024) 6276-4300", "84.24.6276.4300",
    "2025-11-20 10:30", "21/11/2025", "10:30", "0912.345.678", "+1 (555) 010-9999",
    "1900 1234", "(", ")", "+", "-", "5", "12", "0", "gọi", "số", "ngày", ",", ".", "\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_numbers_are_found_where_the_library_matcher_finds_them_in_any_mix(
    pieces: list[str],
) -> None:
    text = " ".join(pieces)
    assert found_in(text) == library_matcher(text)


def test_a_number_after_many_other_figures_is_still_found() -> None:
    figures = " ".join(
        f"ngày {day}/11/2025 số tiền {day * 1_000_000:,} đồng." for day in range(1, 61)
    )
    found = find_phones(f"{figures} Gọi em: 0901 234 567")
    assert "+84901234567" in [p.e164 for p in found]


def test_ticket_digits_are_not_taken_for_phones(reference: Reference) -> None:
    assert extract("Mã SD251120-000123 đã tiếp nhận.", reference).phones == ()


def test_a_number_repeated_is_one_mention_at_its_first_place(reference: Reference) -> None:
    text = "Gọi 0901 234 567. Nhắc lại: 0901.234.567"
    [phone] = extract(text, reference).phones
    assert phone.written == "0901 234 567"
    assert phone.span is not None and phone.span.start == text.index("0901")


@pytest.mark.parametrize(
    "value", ["88617", "88618", "88323", "88608", "88610", "88403", "88613", "88397"]
)
def test_every_published_extension_is_listed(value: str, reference: Reference) -> None:
    found = check_extension(
        ExtensionMention(value, value, None), field="extension", reference=reference
    )
    assert [f.code for f in found] == ["extension.listed"]


def test_an_extension_not_published_is_danger(reference: Reference) -> None:
    found = check_extension(
        ExtensionMention("12345", "12345", None), field="extension", reference=reference
    )
    assert [f.code for f in found] == ["extension.unlisted"]


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("gọi tổng đài, máy lẻ 88617", "88617"),
        ("may le 88618 nhe", "88618"),
        ("số lẻ: 88323", "88323"),
        ("Ext. 88608", "88608"),
        ("extension 12345", "12345"),
        ("ma\u0301y le\u0309 88403", "88403"),  # decomposed Vietnamese
    ],
)
def test_extensions_are_read_from_text(text: str, digits: str, reference: Reference) -> None:
    found = find_extensions(text, reference.extensions)
    assert [e.digits for e in found] == [digits]
    span = found[0].span
    assert span is not None and text[span.start : span.end] == digits


def test_numbers_without_an_extension_keyword_are_not_extensions(reference: Reference) -> None:
    assert find_extensions("Tôi có 88617 đồng và 12345 lý do", reference.extensions) == []
