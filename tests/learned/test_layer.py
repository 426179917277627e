"""The learned layer in the engine: it drops what the rules take for a request in a
warning, and finds requests the rules' lexicon lacks; without it, the rules alone."""

from __future__ import annotations

import datetime as dt

import pytest

from app.config import Settings
from app.engine.assess import Assessment, assess
from app.engine.claim import Claim, Context, Revision
from app.engine.findings import Finding, Lang, Severity, Span, Verdict
from app.engine.i18n import finding_message
from app.engine.learned import LearnedLayer, layer_for, text_layer
from app.engine.reference.models import Reference

RECEIVED = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.UTC)
WARNING = (
    "CẢNH BÁO: thời gian qua, đối tượng giả danh cán bộ Kho bạc gọi điện cho kế toán các "
    'đơn vị và nói: "Chị đọc giúp em mã OTP vừa gửi về máy nhé". Kho bạc không bao giờ đề '
    "nghị cung cấp mã OTP, mã PIN hay mật khẩu. Đề nghị các đơn vị cảnh giác."
)
UNLISTED = "Chị đọc giúp em 6 số vừa gửi về máy chị nhé."
SCAM = f"Em bên Kho bạc, hệ thống vừa gửi tin nhắn xác thực về số của chị. {UNLISTED}"


@pytest.fixture(scope="module")
def layer(reference: Reference) -> LearnedLayer:
    return text_layer(reference)


def _assess(text: str, reference: Reference, layer: LearnedLayer | None) -> Assessment:
    context = Context(reference=reference, text_layer=layer)
    return assess(Claim(message=text, received_at=RECEIVED), context)


def _requests(assessment: Assessment) -> list[Finding]:
    return [f for f in assessment.findings if f.code.startswith("request.")]


def test_a_warning_quoting_a_scam_line_raises_nothing_with_the_layer(
    reference: Reference, layer: LearnedLayer
) -> None:
    rules = _assess(WARNING, reference, None)
    assert [f.code for f in _requests(rules)] == ["request.otp"]  # the rules take it for one
    learned = _assess(WARNING, reference, layer)
    assert _requests(learned) == []
    assert learned.verdict is not Verdict.IMPERSONATION


def test_a_request_the_lexicon_lacks_is_found_by_the_model(
    reference: Reference, layer: LearnedLayer
) -> None:
    assert _requests(_assess(SCAM, reference, None)) == []
    learned = _assess(SCAM, reference, layer)
    assert learned.verdict is Verdict.IMPERSONATION
    [finding] = _requests(learned)
    assert finding.code == "request.otp"
    assert finding.severity is Severity.DANGER
    assert finding.evidence == UNLISTED.rstrip(".")
    assert finding.span == Span(SCAM.index(UNLISTED), SCAM.index(UNLISTED) + len(UNLISTED) - 1)
    assert finding.param("by") == "model"
    assert "đọc" in (finding.param("words") or "").split(", ")


def test_a_model_finding_cites_the_notices_of_its_rule(
    reference: Reference, layer: LearnedLayer
) -> None:
    [finding] = _requests(_assess(SCAM, reference, layer))
    otp = next(group for group in reference.lexicon.requests if group.code == "request.otp")
    assert finding.sources == tuple(otp.sources)


def test_a_rule_finding_the_model_agrees_with_stands(
    reference: Reference, layer: LearnedLayer
) -> None:
    text = "Anh ơi em bên Kho bạc, anh tải UltraViewer rồi gửi em ID và mật khẩu nhé"
    rules = {f.code for f in _requests(_assess(text, reference, None))}
    learned = _assess(text, reference, layer)
    assert "request.remote_access" in rules
    assert rules <= {f.code for f in _requests(learned)}
    assert all(f.param("by") is None for f in _requests(learned) if f.code in rules)


def test_an_empty_text_is_left_to_the_rules(layer: LearnedLayer) -> None:
    assert layer.revise("", []) == Revision([], reads_as_claim=True)
    assert layer.revise("   \n", []) == Revision([], reads_as_claim=True)


def test_the_settings_turn_the_layer_off(reference: Reference) -> None:
    off = Settings(learned_model=False)
    assert layer_for(reference, enabled=off.learned_model) is None
    assert isinstance(layer_for(reference, enabled=Settings().learned_model), LearnedLayer)


def test_a_model_finding_says_the_model_found_it_in_both_languages(
    reference: Reference, layer: LearnedLayer
) -> None:
    [finding] = _requests(_assess(SCAM, reference, layer))
    vietnamese = finding_message(finding, Lang.VI, reference)
    english = finding_message(finding, Lang.EN, reference)
    assert UNLISTED.rstrip(".") in vietnamese and "Mô hình học máy" in vietnamese
    assert "learned model" in english and "đọc" in english
    rule = Finding("request.otp", Severity.DANGER, "message", "mã OTP", finding.sources)
    assert "learned model" not in finding_message(rule, Lang.EN, reference)


def test_a_link_the_model_finds_is_not_called_a_link_outside_the_domain(
    reference: Reference,
) -> None:
    params = (("by", "model"), ("words", "bấm, link"))
    found = Finding("request.link", Severity.DANGER, "message", "bấm link em gửi", (), None, params)
    english = finding_message(found, Lang.EN, reference)
    assert english.startswith("The message asks you to open a link")
    assert "outside the Treasury's domain" not in english


def test_a_model_finding_in_a_long_sentence_quotes_its_start(
    reference: Reference, layer: LearnedLayer
) -> None:
    padded = f"{UNLISTED.rstrip('.')} " + "x" * 5_000
    text = SCAM.replace(UNLISTED, padded)
    [finding] = _requests(_assess(text, reference, layer))
    assert finding.param("by") == "model"
    assert finding.evidence == f"{UNLISTED.rstrip('.')}…"
    assert finding.span == Span(text.index(padded), len(text))
