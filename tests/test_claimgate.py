"""The claim gate: identifiers a message names count against it only if it claims to be
support. Each rule on both sides, with the shipped model."""

from __future__ import annotations

import datetime as dt

import pytest

from app.engine import claimgate
from app.engine.assess import Assessment, assess
from app.engine.claim import Claim, Context
from app.engine.findings import Finding, Lang, Severity, Verdict
from app.engine.i18n import finding_message
from app.engine.learned import LearnedLayer, text_layer
from app.engine.reference.models import Reference

RECEIVED = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC)
WARNING_WITH_NUMBERS = (
    "Phòng Tài chính thông báo: trong tuần, nhiều kế toán nhận cuộc gọi từ các số 0912 345 678 "
    "và 0867 111 222, cùng thư từ địa chỉ hotrocntt@vst-gov.vn, tự xưng Đội hỗ trợ CNTT Kho "
    "bạc. Đây là các số và địa chỉ giả mạo. Số tổng đài thật là 024 6276 4300; địa chỉ thật "
    "là hotrocntt@vst.gov.vn. Các đơn vị lưu ý, không làm theo."
)
COLLEAGUE = (
    "Chị Oanh ơi, em đổi mật khẩu DVCTT xong rồi nha chị. Lần này em không ghi vào sổ nữa, "
    "em tự nhớ."
)
# A colleague's note the shipped model reads surely as no claim (below disclaim_message).
MEETING_NOTE = (
    "Chiều nay 3h họp giao ban, mọi người nhớ mang sổ sách quyết toán quý 3 nhé. Ai bận báo chị."
)
# Support asking to be called back on a mobile: asks for nothing of the request codes.
CALL_BACK = (
    "Em bên Kho bạc đây ạ, tài khoản DVCTT của đơn vị chị đang bị khóa, chị gọi lại ngay số "
    "này cho em để xử lý gấp nhé."
)
SCAM_ASKING = (
    "Chào chị, em là kỹ thuật viên Đội hỗ trợ CNTT Kho bạc. Hệ thống đang nâng cấp, chị đọc "
    "giúp em mã OTP vừa gửi về điện thoại để em kích hoạt lại tài khoản. Có gì chị gọi em "
    "số 0912 345 678."
)


@pytest.fixture(scope="module")
def layer(reference: Reference) -> LearnedLayer:
    return text_layer(reference)


def _assess(claim: Claim, reference: Reference, layer: LearnedLayer | None) -> Assessment:
    return assess(claim, Context(reference=reference, text_layer=layer))


def _codes(assessment: Assessment, severity: Severity) -> set[str]:
    return {f.code for f in assessment.findings if f.severity is severity}


def test_a_warning_listing_scam_numbers_and_addresses_is_no_impersonation(
    reference: Reference, layer: LearnedLayer
) -> None:
    result = _assess(Claim(message=WARNING_WITH_NUMBERS, received_at=RECEIVED), reference, layer)
    assert result.verdict is not Verdict.IMPERSONATION
    named = {f.param("as") for f in result.findings if f.code == claimgate.UNCLAIMED}
    assert {"phone.mobile", "sender.lookalike"} <= named


def test_the_same_numbers_in_a_message_asking_for_the_otp_stay_dangers(
    reference: Reference, layer: LearnedLayer
) -> None:
    result = _assess(Claim(message=SCAM_ASKING, received_at=RECEIVED), reference, layer)
    assert result.verdict is Verdict.IMPERSONATION
    assert {"request.otp", "phone.mobile"} <= _codes(result, Severity.DANGER)
    assert all(f.code != claimgate.UNCLAIMED for f in result.findings)


def test_a_colleagues_address_as_sender_is_no_impersonation(
    reference: Reference, layer: LearnedLayer
) -> None:
    claim = Claim(message=COLLEAGUE, sender="oanh.ho@mnsontra.edu.vn", received_at=RECEIVED)
    result = _assess(claim, reference, layer)
    assert result.verdict is not Verdict.IMPERSONATION
    [named] = [f for f in result.findings if f.code == claimgate.UNCLAIMED]
    assert (named.field, named.param("as")) == ("sender", "sender.unofficial")


def test_an_unofficial_sender_asking_for_the_otp_is_an_impersonation(
    reference: Reference, layer: LearnedLayer
) -> None:
    claim = Claim(message=SCAM_ASKING, sender="hung.nv1988@gmail.com", received_at=RECEIVED)
    result = _assess(claim, reference, layer)
    assert "sender.unofficial" in _codes(result, Severity.DANGER)


def test_the_number_that_called_counts_unless_the_message_surely_claims_nothing(
    reference: Reference, layer: LearnedLayer
) -> None:
    """COLLEAGUE scores between `disclaim_message` and `claim_message`: not a claim for
    the identifiers it names, but not disowned either, so the number given as its own
    still counts."""
    claim = Claim(message=COLLEAGUE, phone="0912 345 678", received_at=RECEIVED)
    assert layer.scores(COLLEAGUE).message >= layer.model.thresholds.disclaim_message
    result = _assess(claim, reference, layer)
    assert "phone.mobile" in _codes(result, Severity.DANGER)


def test_a_colleagues_note_from_her_own_mobile_is_no_impersonation(
    reference: Reference, layer: LearnedLayer
) -> None:
    claim = Claim(message=MEETING_NOTE, phone="0912 345 678", received_at=RECEIVED)
    result = _assess(claim, reference, layer)
    assert result.verdict is not Verdict.IMPERSONATION
    [named] = [f for f in result.findings if f.code == claimgate.UNCLAIMED]
    assert (named.field, named.param("as")) == ("phone", "phone.mobile")


def test_a_caller_from_a_mobile_asking_to_be_called_back_is_an_impersonation(
    reference: Reference, layer: LearnedLayer
) -> None:
    claim = Claim(message=CALL_BACK, phone="0912 345 678", received_at=RECEIVED)
    result = _assess(claim, reference, layer)
    assert result.verdict is Verdict.IMPERSONATION
    assert "phone.mobile" in _codes(result, Severity.DANGER)


@pytest.mark.parametrize(
    ("finding", "is_shaped"),
    [
        (Finding("phone.mobile", Severity.DANGER, "phone", "0912345678", ()), True),
        (Finding("phone.unofficial", Severity.DANGER, "phone", "02838221111", ()), True),
        (Finding("sender.lookalike", Severity.DANGER, "sender", "a@vst-gov.vn", ()), True),
        (Finding("sender.display_name_spoof", Severity.DANGER, "sender", "x", ()), True),
        (Finding("extension.unlisted", Severity.DANGER, "extension", "12345", ()), True),
        (Finding("ticket.invalid_date", Severity.DANGER, "ticket_code", "SD250229-1", ()), False),
        (Finding("mail.multiple_from", Severity.DANGER, "mail", "2", ()), False),
        (Finding("phone.switchboard", Severity.INFO, "phone", "02462764300", ()), False),
    ],
)
def test_what_a_disowned_message_no_longer_counts(finding: Finding, is_shaped: bool) -> None:
    assert claimgate.shaped(finding) is is_shaped
    assert claimgate.apply([finding], reads_as_claim=False) == [finding]
    [after] = claimgate.apply([finding], reads_as_claim=False, disowned=True)
    assert (after.code == claimgate.UNCLAIMED) is is_shaped


def test_a_disowned_message_that_asks_still_counts_its_number() -> None:
    number = Finding("phone.mobile", Severity.DANGER, "phone", "0912345678", ())
    asking = Finding("request.otp", Severity.DANGER, "message", "đọc mã OTP", ())
    found = [number, asking]
    assert claimgate.apply(found, reads_as_claim=False, disowned=True) == found


def test_the_rules_alone_gate_nothing(reference: Reference) -> None:
    claim = Claim(message=COLLEAGUE, sender="oanh.ho@mnsontra.edu.vn", received_at=RECEIVED)
    result = _assess(claim, reference, None)
    assert "sender.unofficial" in _codes(result, Severity.DANGER)


def test_an_unclaimed_identifier_is_explained_with_what_it_is(
    reference: Reference, layer: LearnedLayer
) -> None:
    result = _assess(Claim(message=WARNING_WITH_NUMBERS, received_at=RECEIVED), reference, layer)
    mobile = next(f for f in result.findings if f.param("as") == "phone.mobile")
    said = finding_message(mobile, Lang.EN, reference)
    assert said.startswith(f"The message names {mobile.evidence}, but")
    assert "is a mobile number" in said


@pytest.mark.parametrize(
    ("finding", "is_gated"),
    [
        (Finding("phone.mobile", Severity.DANGER, "message", "0912345678", ()), True),
        (Finding("sender.lookalike", Severity.DANGER, "message", "a@vst-gov.vn", ()), True),
        (Finding("sender.unofficial", Severity.DANGER, "sender", "a@b.vn", ()), True),
        (Finding("phone.mobile", Severity.DANGER, "phone", "0912345678", ()), False),
        (Finding("sender.lookalike", Severity.DANGER, "sender", "a@vst-gov.vn", ()), False),
        (Finding("sender.display_name_spoof", Severity.DANGER, "sender", "x", ()), False),
        (Finding("ticket.invalid_date", Severity.DANGER, "ticket_code", "SD250229-1", ()), False),
        (Finding("request.otp", Severity.DANGER, "message", "đọc mã", ()), False),
        (Finding("phone.switchboard", Severity.INFO, "message", "02462764300", ()), False),
    ],
)
def test_what_is_gated(finding: Finding, is_gated: bool) -> None:
    assert claimgate.gated(finding) is is_gated
    unchanged = claimgate.apply([finding], reads_as_claim=True)
    assert unchanged == [finding]
    [after] = claimgate.apply([finding], reads_as_claim=False)
    assert (after.code == claimgate.UNCLAIMED) is is_gated


def _mobile(number: str) -> Finding:
    return Finding("phone.mobile", Severity.DANGER, "message", number, ("679/KBKH-KTNN",))


LISTED = [_mobile("0912 345 678"), _mobile("0867 111 222"), _mobile("0903 000 111")]


def test_a_list_of_numbers_is_unclaimed_even_when_the_message_reads_as_a_claim() -> None:
    gated = claimgate.apply(LISTED, reads_as_claim=True)
    assert {f.code for f in gated} == {claimgate.UNCLAIMED}


def test_two_numbers_in_a_message_that_reads_as_a_claim_still_count() -> None:
    assert claimgate.apply(LISTED[:2], reads_as_claim=True) == LISTED[:2]


def test_a_list_of_numbers_in_a_message_that_asks_still_counts() -> None:
    asking = Finding("request.otp", Severity.DANGER, "message", "đọc mã OTP", ("679/KBKH-KTNN",))
    assert claimgate.apply([*LISTED, asking], reads_as_claim=True) == [*LISTED, asking]
