"""The value classes made on every check behave as the frozen dataclasses they are."""

from __future__ import annotations

import dataclasses

import pytest

from app.engine.claim import Indicator, IndicatorKind
from app.engine.findings import Finding, Severity, Span
from app.engine.validators.hits import Spans


def test_a_finding_is_equal_hashable_frozen_and_replaceable() -> None:
    made = Finding("phone.mobile", Severity.WARNING, "phone", "0901", ("s1",), Span(0, 4))
    same = Finding(
        code="phone.mobile",
        severity=Severity.WARNING,
        field="phone",
        evidence="0901",
        sources=("s1",),
        span=Span(0, 4),
    )
    assert made == same and hash(made) == hash(same)
    assert (made.params, made.proof) == ((), False)  # the defaults
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.code = "other"  # type: ignore[misc]
    moved = dataclasses.replace(made, span=Span(5, 9))
    assert moved.span == Span(5, 9) and moved != made
    assert repr(Span(1, 2)) == "Span(start=1, end=2)"


def test_indicators_collapse_in_a_set_and_spans_start_empty() -> None:
    found = {Indicator(IndicatorKind.PHONE, "+84901234567") for _ in range(3)}
    assert found == {Indicator(kind=IndicatorKind.PHONE, value="+84901234567")}
    first, second = Spans(), Spans()
    first.los.append(1)
    assert second.los == [] and Spans([1], [2]) == Spans(los=[1], his=[2])
