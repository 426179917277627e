"""The learned layer in the engine: it drops what the rules take for a request in a
warning, and finds requests the rules' lexicon lacks; without it, the rules alone."""

from __future__ import annotations

import datetime as dt
from typing import cast

import numpy as np
import pytest

from app.config import Settings
from app.engine.assess import Assessment, assess
from app.engine.claim import Claim, Context, Revision
from app.engine.findings import Finding, Lang, Severity, Span, Verdict
from app.engine.i18n import finding_message
from app.engine.learned import LearnedLayer, layer_for, text_layer
from app.engine.learned import features as F
from app.engine.learned.fit import CODES
from app.engine.learned.layer import decide
from app.engine.learned.model import Scores, Thresholds
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


class _Scored:
    """Scores as `decide` reads them, set by hand: two sentences, the message a scam."""

    def __init__(self, message_codes: list[float], had: str | None = None) -> None:
        self.sentences = [F.Sentence(0, 3, 0, 20), F.Sentence(3, 6, 21, 40)]
        self.message = 5.0
        self.ask = np.array([-5.0, -5.0], dtype=np.float32)  # no sentence asks by itself
        self.code_names = CODES
        self.codes = np.full((2, len(CODES)), -5.0, dtype=np.float32)
        self.codes[1, CODES.index("request.otp")] = -1.0  # the sentence that says it best
        self.message_codes = np.array(message_codes, dtype=np.float32)
        self.had = had

    def ask_at(self, which: list[int]) -> list[float]:
        return [float(self.ask[j]) for j in which]


def _thresholds(message_code: float) -> Thresholds:
    # Rules' findings stand (keep_sentence -10); no sentence asks enough to add one.
    return Thresholds(0.0, 99.0, -10.0, 1.0, 0.0, 0.0, 99.0, -3.0, message_code)


def _otp_scored(score: float) -> Scores:
    codes = [-5.0] * len(CODES)
    codes[CODES.index("request.otp")] = score
    return cast(Scores, _Scored(codes))


def test_a_code_the_whole_message_asks_for_is_found_in_its_best_sentence() -> None:
    kept, added = decide([], _otp_scored(1.0), _thresholds(0.5))
    assert kept == [] and added == [(1, CODES.index("request.otp"))]


def test_a_code_the_whole_message_scores_below_the_threshold_is_not_found() -> None:
    assert decide([], _otp_scored(0.0), _thresholds(0.5)) == ([], [])


def test_a_code_the_rules_found_is_not_found_twice() -> None:
    otp = Finding("request.otp", Severity.DANGER, "message", "x", (), Span(21, 40))
    kept, added = decide([otp], _otp_scored(1.0), _thresholds(0.5))
    assert kept == [otp] and added == []
