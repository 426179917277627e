"""The engine: verdicts exactly per SPEC §4, proof, reports, determinism."""

from __future__ import annotations

import datetime as dt

import pytest

from app.engine.assess import assess
from app.engine.claim import (
    VIETNAM,
    Channel,
    Claim,
    Context,
    Indicator,
    IndicatorKind,
    RegisteredTicket,
)
from app.engine.findings import Finding, Severity, Verdict, verdict_for
from app.engine.reference.models import Reference

RECEIVED = dt.datetime(2025, 11, 21, 10, 0, tzinfo=VIETNAM)
GOOD_TICKET = "SD251120-000123"


def claim(**fields: object) -> Claim:
    fields.setdefault("received_at", RECEIVED)
    return Claim(**fields)  # type: ignore[arg-type]


def codes_of(result_findings: tuple[Finding, ...]) -> list[str]:
    return [f.code for f in result_findings]


def _f(severity: Severity, proof: bool = False) -> Finding:
    return Finding("x", severity, "message", "", (), proof=proof)


@pytest.mark.parametrize(
    ("findings", "verdict"),
    [
        (
            [_f(Severity.DANGER), _f(Severity.WARNING), _f(Severity.INFO, True)],
            Verdict.IMPERSONATION,
        ),
        ([_f(Severity.WARNING), _f(Severity.INFO, True)], Verdict.SUSPICIOUS),
        ([_f(Severity.INFO, True), _f(Severity.INFO)], Verdict.AUTHENTIC),
        ([_f(Severity.INFO)], Verdict.PLAUSIBLE),
        ([], Verdict.PLAUSIBLE),
    ],
)
def test_verdict_rule_is_exactly_the_spec(findings: list[Finding], verdict: Verdict) -> None:
    assert verdict_for(findings) == verdict


def test_official_sender_with_valid_ticket_is_plausible_not_authentic(
    reference: Reference,
) -> None:
    result = assess(
        claim(sender="hotrocntt@vst.gov.vn", ticket_code=GOOD_TICKET), Context(reference=reference)
    )
    assert result.verdict is Verdict.PLAUSIBLE
    assert codes_of(result.findings) == ["sender.official", "ticket.valid"]


def test_switchboard_without_ticket_is_suspicious(reference: Reference) -> None:
    result = assess(claim(phone="024 6276 4300"), Context(reference=reference))
    assert result.verdict is Verdict.SUSPICIOUS
    assert "ticket.missing" in codes_of(result.findings)


def test_registered_ticket_is_proof_and_makes_authentic(reference: Reference) -> None:
    registry = {GOOD_TICKET: RegisteredTicket(GOOD_TICKET)}
    result = assess(
        claim(sender="hotrocntt@vst.gov.vn", ticket_code=GOOD_TICKET),
        Context(reference=reference, registry=registry),
    )
    assert result.verdict is Verdict.AUTHENTIC
    assert [f.code for f in result.findings if f.proof] == ["ticket.registered"]


def test_registered_ticket_for_another_unit_is_no_proof(reference: Reference) -> None:
    registry = {GOOD_TICKET: RegisteredTicket(GOOD_TICKET, unit_code="1234567")}
    result = assess(
        claim(ticket_code=GOOD_TICKET, unit_code="7654321"),
        Context(reference=reference, registry=registry),
    )
    assert result.verdict is Verdict.PLAUSIBLE


def test_revoked_ticket_is_no_proof(reference: Reference) -> None:
    registry = {GOOD_TICKET: RegisteredTicket(GOOD_TICKET, revoked=True)}
    result = assess(claim(ticket_code=GOOD_TICKET), Context(reference=reference, registry=registry))
    assert result.verdict is Verdict.SUSPICIOUS
    assert "ticket.revoked" in codes_of(result.findings)


def test_unknown_ticket_is_danger_only_when_the_registry_is_authoritative(
    reference: Reference,
) -> None:
    lenient = assess(claim(ticket_code=GOOD_TICKET), Context(reference=reference, registry={}))
    assert lenient.verdict is Verdict.PLAUSIBLE
    strict = assess(
        claim(ticket_code=GOOD_TICKET),
        Context(reference=reference, registry={}, registry_authoritative=True),
    )
    assert strict.verdict is Verdict.IMPERSONATION
    assert "ticket.unregistered" in codes_of(strict.findings)


def test_reported_phone_is_warning_then_danger_from_the_threshold(reference: Reference) -> None:
    phone = Indicator(IndicatorKind.PHONE, "+84901234567")
    base = claim(message="Em gọi từ số 0901234567", ticket_code=GOOD_TICKET)
    few = assess(base, Context(reference=reference, reported={phone: 2}))
    many = assess(base, Context(reference=reference, reported={phone: 3}))
    [few_finding] = [f for f in few.findings if f.code == "reported.phone"]
    [many_finding] = [f for f in many.findings if f.code == "reported.phone"]
    assert few_finding.severity is Severity.WARNING
    assert many_finding.severity is Severity.DANGER


def test_official_identifiers_never_raise_reported_findings(reference: Reference) -> None:
    reported = {
        Indicator(IndicatorKind.PHONE, reference.switchboard.e164): 99,
        Indicator(IndicatorKind.EMAIL, reference.official_sender.address): 99,
        Indicator(IndicatorKind.DOMAIN, reference.official_sender.domain): 99,
    }
    result = assess(
        claim(sender="hotrocntt@vst.gov.vn", phone="02462764300", ticket_code=GOOD_TICKET),
        Context(reference=reference, reported=reported),
    )
    assert not [f for f in result.findings if f.code.startswith("reported.")]
    assert result.verdict is Verdict.PLAUSIBLE


def test_addresses_at_official_domains_are_official_and_lookalikes_are_not(
    reference: Reference,
) -> None:
    # The same rule as the reports (app.engine.extract.is_official): a report never counts an
    # address at the Treasury's domain, so a count for one raises nothing either.
    domain = reference.official_sender.domain
    colleague, lookalike = f"phongcntt@{domain}", f"hotrocntt@{domain}.hotro-kbnn.com"
    reported = {
        Indicator(IndicatorKind.EMAIL, colleague): 5,
        Indicator(IndicatorKind.EMAIL, lookalike): 5,
    }
    result = assess(
        claim(message=f"Anh chị liên hệ {colleague} hoặc {lookalike}", ticket_code=GOOD_TICKET),
        Context(reference=reference, reported=reported),
    )
    flagged = [f.evidence for f in result.findings if f.code == "reported.email"]
    assert flagged == [lookalike]


def test_unofficial_channel_is_a_warning(reference: Reference) -> None:
    zalo = assess(
        claim(channel=Channel.ZALO, ticket_code=GOOD_TICKET), Context(reference=reference)
    )
    email = assess(
        claim(channel=Channel.EMAIL, ticket_code=GOOD_TICKET), Context(reference=reference)
    )
    assert zalo.verdict is Verdict.SUSPICIOUS
    assert "channel.unofficial" in codes_of(zalo.findings)
    assert email.verdict is Verdict.PLAUSIBLE


def test_ticket_in_the_field_and_the_message_is_judged_once(reference: Reference) -> None:
    result = assess(
        claim(ticket_code=GOOD_TICKET, message=f"Mã {GOOD_TICKET} đã nhận"),
        Context(reference=reference),
    )
    assert codes_of(result.findings).count("ticket.valid") == 1


def test_quoted_ordinary_address_in_a_message_is_no_claim(reference: Reference) -> None:
    text = f"Đã nhận yêu cầu {GOOD_TICKET} từ ketoan.truonghoc@gmail.com, hotrocntt@vst.gov.vn"
    result = assess(claim(message=text), Context(reference=reference))
    assert result.verdict is Verdict.PLAUSIBLE


def test_lookalike_address_in_a_message_is_danger(reference: Reference) -> None:
    result = assess(
        claim(message=f"Liên hệ hotrocntt@vst-gov.com, mã {GOOD_TICKET}"),
        Context(reference=reference),
    )
    assert result.verdict is Verdict.IMPERSONATION
    assert "sender.lookalike" in codes_of(result.findings)


def test_extra_findings_from_an_adapter_count_in_the_verdict(reference: Reference) -> None:
    proof = Finding("mail.dkim.pass", Severity.INFO, "mail.dkim", "vst.gov.vn", (), proof=True)
    result = assess(
        claim(sender="hotrocntt@vst.gov.vn", ticket_code=GOOD_TICKET),
        Context(reference=reference, extra_findings=(proof,)),
    )
    assert result.verdict is Verdict.AUTHENTIC


def test_same_input_gives_the_same_output_in_the_same_order(reference: Reference) -> None:
    text = (
        "Em ở KBNN, số 0901234567, mã SD230229-000001, vào bit.ly/x, email "
        "hotrocntt@gmail.com, máy lẻ 12345"
    )
    first = assess(claim(message=text, channel=Channel.ZALO), Context(reference=reference))
    for _ in range(5):
        again = assess(claim(message=text, channel=Channel.ZALO), Context(reference=reference))
        assert again.findings == first.findings
    severities = [f.severity for f in first.findings]
    assert severities == sorted(
        severities, key=[Severity.DANGER, Severity.WARNING, Severity.INFO].index
    )


def test_advice_always_names_the_switchboard_and_official_address(reference: Reference) -> None:
    for value in ("hotrocntt@gmail.com", "hotrocntt@vst.gov.vn"):
        result = assess(claim(sender=value), Context(reference=reference))
        assert {"call_switchboard", "write_official", "never_give"} <= set(result.advice)


def test_a_directory_of_numbers_lists_the_first_few_and_counts_the_rest(
    reference: Reference,
) -> None:
    directory = " ".join(f"09{i:08d}" for i in range(1800))  # 19,799 characters
    result = assess(claim(message=directory), Context(reference=reference))
    mobiles = [f.evidence for f in result.findings if f.code == "phone.mobile"]
    assert mobiles == ["0900000000", "0900000001", "0900000002"]  # the first, in text order
    assert result.omitted == {"phone.mobile": 1797}
    assert result.verdict is Verdict.IMPERSONATION


def test_a_reported_danger_late_in_the_text_is_listed_before_earlier_warnings(
    reference: Reference,
) -> None:
    numbers = [f"09{i:08d}" for i in range(1, 7)]
    reported = {Indicator(IndicatorKind.PHONE, f"+849{n[2:]}"): 1 for n in numbers[:-1]}
    reported[Indicator(IndicatorKind.PHONE, f"+849{numbers[-1][2:]}")] = 3  # past the threshold
    result = assess(
        claim(message=" ".join(numbers), ticket_code=GOOD_TICKET),
        Context(reference=reference, reported=reported, findings_per_code=3),
    )
    listed = [(f.severity, f.evidence) for f in result.findings if f.code == "reported.phone"]
    assert listed[0] == (Severity.DANGER, "+84900000006")
    assert [severity for severity, _ in listed[1:]] == [Severity.WARNING] * 2
    assert result.omitted["reported.phone"] == 3


def test_an_ordinary_message_leaves_nothing_out(reference: Reference) -> None:
    text = (
        "Em ở KBNN, số 0901234567 hoặc 0912345678, mã SD230229-000001, vào bit.ly/x, email "
        "hotrocntt@gmail.com, máy lẻ 88617, 88618 hoặc 12345"
    )
    bounded = assess(claim(message=text), Context(reference=reference))
    whole = assess(claim(message=text), Context(reference=reference, findings_per_code=10**6))
    assert bounded.omitted == {}
    assert bounded.findings == whole.findings
