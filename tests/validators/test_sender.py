"""Senders: only hotrocntt@vst.gov.vn is support; look-alikes and spoofs are caught."""

from __future__ import annotations

import pytest

from app.engine.reference.models import Reference
from app.engine.validators.sender import check_sender, parse_sender


def judge(value: str, reference: Reference) -> list[tuple[str, str | None]]:
    found = check_sender(parse_sender(value), field="sender", reference=reference)
    return [(f.code, f.param("reason")) for f in found]


@pytest.mark.parametrize(
    "value",
    [
        "hotrocntt@vst.gov.vn",
        "HotroCNTT@VST.gov.VN",
        "Đội hỗ trợ CNTT <hotrocntt@vst.gov.vn>",
        "  hotrocntt@vst.gov.vn  ",
    ],
)
def test_official_sender_in_any_case_or_with_a_name_is_official(
    value: str, reference: Reference
) -> None:
    assert judge(value, reference) == [("sender.official", None)]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("hotrocntt@vѕt.gov.vn", "confusable"),  # Cyrillic dze
        ("hotrocntt@vst.gоv.vn", "confusable"),  # Cyrillic o
        ("hοtrocntt@vst.gov.vn", "confusable"),  # Greek omicron in the local part
        ("hotr0cntt@vst.gov.vn", "confusable"),  # digit zero
        ("hotrocntt@vst.gov.vm", "domain_edit"),
        ("hotrocntt@vsl.gov.vn", "domain_edit"),
        ("hotrocntt@vst-gov.vn", "domain_edit"),
        ("hotrocntt@vst.gov.vn.example.com", "domain_embedded"),
        ("hotrocntt@vst-gov.com", "domain_embedded"),
        ("hotrocntt@vst.gov.com", "domain_embedded"),
        ("hotro@kbnn-vst.gov.vn.info", "domain_embedded"),
        ("hotrocnt@vst.gov.vn", "local_edit"),
        ("hotrocntt1@vst.gov.vn", "local_edit"),
        ("hotrocntt@gmail.com", "free_mail"),
        ("hotro.cntt@yahoo.com", "free_mail"),
        ("hotrocntt@kbnn.online", "other_domain"),
    ],
)
def test_lookalikes_are_danger_with_their_reason(
    value: str, reason: str, reference: Reference
) -> None:
    assert judge(value, reference) == [("sender.lookalike", reason)]


def test_punycode_domain_that_decodes_to_a_lookalike_is_caught(reference: Reference) -> None:
    encoded = "vѕt.gov.vn".encode("idna").decode()
    assert encoded.startswith("xn--")
    assert judge(f"hotrocntt@{encoded}", reference) == [("sender.lookalike", "punycode")]


def test_another_treasury_mailbox_is_not_the_support_sender(reference: Reference) -> None:
    assert judge("nguyenvana@vst.gov.vn", reference) == [("sender.unofficial", None)]


def test_unrelated_address_is_unofficial_not_lookalike(reference: Reference) -> None:
    assert judge("a@my-org.example", reference) == [("sender.unofficial", None)]


def test_display_name_showing_the_official_address_over_another_is_spoof(
    reference: Reference,
) -> None:
    found = judge('"hotrocntt@vst.gov.vn" <kbnn.hotro@evil.example>', reference)
    assert ("sender.display_name_spoof", None) in found


@pytest.mark.parametrize(
    "value",
    [
        "hotrocntt@vst.gov.vn <kbnn.hotro@gmail.com>",
        "hotrocntt@vst.gov.vn (hotrocntt@vst.gov.vn) <x@evil.example>",
        "hotrocntt(at)vst.gov.vn <x@evil.example>",
    ],
)
def test_unquoted_or_commented_official_address_over_another_is_spoof(
    value: str, reference: Reference
) -> None:
    found = judge(value, reference)
    assert ("sender.display_name_spoof", None) in found
    assert ("sender.official", None) not in found


def test_display_name_repeating_the_real_address_is_not_spoof(reference: Reference) -> None:
    found = judge('"hotrocntt@vst.gov.vn" <hotrocntt@vst.gov.vn>', reference)
    assert found == [("sender.official", None)]


@pytest.mark.parametrize("value", ["not an address", "a@", "@vst", "a@b@c.com"])
def test_unparseable_address_is_invalid(value: str, reference: Reference) -> None:
    assert judge(value, reference) == [("sender.invalid", None)]


def test_finding_keeps_the_address_as_written(reference: Reference) -> None:
    found = check_sender(
        parse_sender("Hỗ Trợ <HOTROCNTT@GMAIL.COM>"), field="sender", reference=reference
    )
    assert found[0].evidence == "Hỗ Trợ <HOTROCNTT@GMAIL.COM>"
    assert found[0].sources == tuple(reference.official_sender.sources)
