"""What the audit log keeps of a message: secrets and long numbers masked, the rest as is."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.extract import extract
from app.engine.redact import MASK, SECRET, _digit_spans, _secret_spans, excerpt, redact
from app.engine.reference.models import Reference
from app.engine.validators.fold import fold

CORPUS = Path(__file__).parents[1] / "corpus" / "messages.jsonl"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Mật khẩu của anh là Abc@123 nhé", "Abc@123"),
        ("mat khau: hello", "hello"),
        ("gửi em mã PIN 2468 để kích hoạt", "2468"),
        ("pass = qwerty", "qwerty"),
        ("mk 1357", "1357"),
        ("Mã xác thực: 998877", "998877"),
        ("OTP 123456", "123456"),
        ("your password is hunter2", "hunter2"),
    ],
)
def test_secret_after_its_keyword_is_masked(text: str, secret: str, reference: Reference) -> None:
    redacted = redact(text, reference)
    assert secret not in redacted
    assert MASK * len(secret) in redacted


def test_secret_in_decomposed_unicode_is_masked(reference: Reference) -> None:
    text = unicodedata.normalize("NFD", "Mật khẩu là Xyz!987")
    assert "Xyz!987" not in redact(text, reference)


def test_long_digit_strings_are_masked(reference: Reference) -> None:
    redacted = redact("STK 0123 4567 8901, CCCD 079123456789", reference)
    assert not any(ch.isdigit() for ch in redacted)


def test_keyword_without_a_value_masks_nothing(reference: Reference) -> None:
    text = "Kho bạc không bao giờ hỏi mã PIN hay mật khẩu của anh chị."
    assert redact(text, reference) == text


def test_ticket_codes_and_extensions_stay(reference: Reference) -> None:
    text = "Phiếu SD251120-000123, gọi tổng đài máy lẻ 88617"
    assert redact(text, reference) == text


def test_redaction_keeps_the_length(reference: Reference) -> None:
    text = "mật khẩu: Abc@123, OTP 123456, STK 0123456789"
    assert len(redact(text, reference)) == len(text)


def test_excerpt_is_cut_after_masking(reference: Reference) -> None:
    text = "x" * 495 + " 0123456789 và tiếp"
    kept = excerpt(text, reference)
    assert len(kept) == 500
    assert not any(ch.isdigit() for ch in kept)


def test_an_excerpt_from_the_extraction_is_the_excerpt_worked_out_anew(
    reference: Reference,
) -> None:
    """check_record hands excerpt() the extraction's folded text and ticket codes."""
    messages = [json.loads(line)["claim"].get("message") or "" for line in CORPUS.open()]
    messages += [unicodedata.normalize("NFD", m) for m in messages]
    messages.append("Mã SD251120-000123, OTP 482913. " * 40)  # longer than the excerpt
    for message in messages:
        ex = extract(message, reference)
        reused = excerpt(message, reference, folded=ex.folded, tickets=ex.ticket_spans)
        assert reused == excerpt(message, reference), message


def test_a_secret_word_inside_another_word_is_no_secret_but_one_after_it_is() -> None:
    assert [m["value"] for m in SECRET.finditer("xpass:mk=5")] == ["5"]


SECRET_PIECES = st.sampled_from(
    ["mk", "pin", "ma pin", "mat khau", "pass", "password", "otp", "sms code", "a", "x"]
    + [" ", ": ", "=", " la ", "1234", "abc", ",", "\n", "apin", "_", "9", "moi"]
)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        SECRET_PIECES | st.sampled_from(["123 456 789", "0901234567", "\t"]), max_size=30
    )
)
def test_masking_covers_each_non_space_character_of_every_span_once(
    pieces: list[str], reference: Reference
) -> None:
    text = "".join(pieces)
    spans = _secret_spans(text, fold(text)) + _digit_spans(text, [])
    expected = [
        MASK if any(s.start <= i < s.end for s in spans) and not ch.isspace() else ch
        for i, ch in enumerate(text)
    ]
    assert redact(text, reference, tickets=[]) == "".join(expected)
