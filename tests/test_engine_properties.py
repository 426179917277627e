"""Property: for any text up to the limit the engine returns a verdict and never raises."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.assess import assess
from app.engine.claim import VIETNAM, Claim, Context
from app.engine.findings import Finding, Verdict
from app.engine.reference import cached_reference

REFERENCE = cached_reference()
RECEIVED = dt.datetime(2025, 11, 21, 10, 0, tzinfo=VIETNAM)

# Text biased towards what the extractors look for: digits, @, dots, dashes, SD, Vietnamese.
pieces = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "SD",
            "-",
            "–",
            "@",
            ".",
            "[.]",
            "hxxp://",
            "0",
            "84",
            "+84",
            "máy lẻ",
            "mã PIN",
            "mật khẩu",
            "UltraViewer",
            "vst.gov.vn",
            "hotrocntt",
            " ",
            "\u0301",
            "\u200b",
            "２",
            "/",
            "ext.",
        ]
    ),
    st.from_regex(r"SD\d{6}-\d{6}", fullmatch=True),
    st.from_regex(r"0\d{9,10}", fullmatch=True),
)
texts = st.lists(pieces, max_size=120).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    message=texts,
    sender=st.one_of(st.none(), st.text(max_size=60)),
    phone=st.one_of(st.none(), st.text(max_size=30)),
)
def test_engine_always_returns_a_verdict(
    message: str, sender: str | None, phone: str | None
) -> None:
    result = assess(
        Claim(message=message, sender=sender or None, phone=phone or None, received_at=RECEIVED),
        Context(reference=REFERENCE),
    )
    assert result.verdict in Verdict
    for finding in result.findings:
        if finding.span is not None and finding.field == "message":
            assert 0 <= finding.span.start <= finding.span.end <= len(message)


@settings(max_examples=10, deadline=None)
@given(st.lists(pieces, min_size=1, max_size=20), st.integers(min_value=1, max_value=10))
def test_engine_handles_texts_at_the_size_limit(parts: list[str], seed: int) -> None:
    # Repeat a generated pattern up to the 20,000-character limit of the API.
    unit = "".join(parts) or "x"
    message = (unit * (20_000 // len(unit) + 1))[: 20_000 - seed]
    result = assess(Claim(message=message, received_at=RECEIVED), Context(reference=REFERENCE))
    assert result.verdict in Verdict


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=texts)
def test_listing_one_finding_of_a_code_keeps_the_verdict_advice_and_the_first_of_each(
    message: str,
) -> None:
    claim = Claim(message=message, received_at=RECEIVED)
    bounded = assess(claim, Context(reference=REFERENCE, findings_per_code=1))
    whole = assess(claim, Context(reference=REFERENCE, findings_per_code=10**6))
    assert (bounded.verdict, bounded.advice) == (whole.verdict, whole.advice)
    firsts: dict[str, Finding] = {}
    for finding in whole.findings:
        firsts.setdefault(finding.code, finding)
    assert bounded.findings == tuple(firsts.values())
    counts = Counter(f.code for f in whole.findings)
    assert bounded.omitted == {code: n - 1 for code, n in counts.items() if n > 1}
