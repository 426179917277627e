"""The translation table: every finding explains itself in Vietnamese and English."""

from __future__ import annotations

import re

import pytest

from app.engine.findings import Finding, Lang, Severity, Verdict
from app.engine.i18n import catalogue, finding_message, negotiate, verdict_label, verdict_summary
from app.engine.reference.models import Reference

SPEC_CODES = [
    "ticket.valid",
    "ticket.missing",
    "ticket.malformed",
    "ticket.invalid_date",
    "ticket.future_date",
    "ticket.stale",
    "ticket.registered",
    "ticket.unregistered",
    "ticket.revoked",
    "sender.official",
    "sender.unofficial",
    "sender.lookalike",
    "sender.display_name_spoof",
    "sender.invalid",
    "phone.switchboard",
    "phone.misprint",
    "phone.mobile",
    "phone.unofficial",
    "phone.invalid",
    "extension.listed",
    "extension.unlisted",
    "request.pin",
    "request.password",
    "request.otp",
    "request.remote_access",
    "request.link",
    "request.install",
    "request.change_email",
    "request.money",
    "request.mandatory_remote_signing",
    "channel.unofficial",
    "reported.phone",
    "reported.email",
    "reported.domain",
    "reported.url",
    "reported.text",
    "mail.spf.pass",
    "mail.dkim.fail",
    "mail.dmarc.none",
    "mail.reply_to_mismatch",
    "mail.multiple_from",
    "mail.unauthenticated_official",
]


@pytest.mark.parametrize("code", SPEC_CODES)
@pytest.mark.parametrize("lang", list(Lang))
def test_every_code_has_a_message_with_no_unfilled_placeholder(
    code: str, lang: Lang, reference: Reference
) -> None:
    finding = Finding(
        code,
        Severity.INFO,
        "message",
        "EVIDENCE",
        (),
        params=(("reason", "confusable"), ("count", "3"), ("since", "2026-12-01")),
    )
    text = finding_message(finding, lang, reference)
    assert text != code
    assert not re.search(r"\{[a-z_]+\}", text)


@pytest.mark.parametrize("verdict", list(Verdict))
def test_every_verdict_has_a_label_and_summary_in_both_languages(verdict: Verdict) -> None:
    for lang in Lang:
        assert verdict_label(verdict, lang)
        assert verdict_summary(verdict, lang)
    assert verdict_label(verdict, Lang.VI) != verdict_label(verdict, Lang.EN)


def test_advice_texts_exist_in_both_languages() -> None:
    for key, entry in catalogue()["advice"].items():
        assert entry["vi"] and entry["en"], key


def test_misprint_message_says_the_notice_misprinted_it(reference: Reference) -> None:
    finding = Finding("phone.misprint", Severity.DANGER, "phone", "0246764300", ())
    assert "34/KBKH-KTNN" in finding_message(finding, Lang.VI, reference)
    assert "misprint" in finding_message(finding, Lang.EN, reference)


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, Lang.VI),
        ("en", Lang.EN),
        ("en-GB,en;q=0.9", Lang.EN),
        ("vi-VN,en;q=0.8", Lang.VI),
        ("fr,en;q=0.5", Lang.EN),
        ("fr", Lang.VI),
        ("en;q=0.2,vi;q=0.9", Lang.VI),
        ("en;q=bad", Lang.VI),
    ],
)
def test_accept_language_is_negotiated(header: str | None, lang: Lang) -> None:
    assert negotiate(header) is lang
