"""Bounding the findings an answer lists: the first few of each code, the gravest first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.engine.findings import Finding, Severity, first_of_each_code, verdict_for

RANK = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.INFO: 2}


def finding(code: str, severity: Severity, evidence: str = "", proof: bool = False) -> Finding:
    return Finding(code, severity, "message", evidence, (), proof=proof)


def gravest_first(findings: list[Finding]) -> tuple[Finding, ...]:
    """Each once, in the engine's order (app.engine.assess): by severity, code, proofs first."""
    ordered = sorted(dict.fromkeys(findings), key=lambda f: (RANK[f.severity], f.code, not f.proof))
    return tuple(ordered)


def test_the_first_few_of_a_code_are_kept_and_the_rest_counted() -> None:
    mobiles = [finding("phone.mobile", Severity.DANGER, f"09{i:08d}") for i in range(1800)]
    missing = finding("ticket.missing", Severity.WARNING)
    kept, omitted = first_of_each_code((*mobiles, missing), 3)
    assert kept == (*mobiles[:3], missing)
    assert omitted == {"phone.mobile": 1797}


def test_nothing_is_left_out_of_a_code_with_no_more_than_the_bound() -> None:
    findings = (
        finding("extension.listed", Severity.INFO, "88617"),
        finding("extension.listed", Severity.INFO, "88618"),
        finding("phone.switchboard", Severity.INFO),
    )
    assert first_of_each_code(findings, 2) == (findings, {})


def test_a_danger_is_kept_before_any_warning_of_its_code() -> None:
    # Reported once (warning) four times over, then one reported past the threshold (danger),
    # last in the text: in the engine's order the danger comes first, and is kept.
    warnings = [finding("reported.phone", Severity.WARNING, f"+8490000000{i}") for i in range(4)]
    danger = finding("reported.phone", Severity.DANGER, "+84900000009")
    kept, omitted = first_of_each_code(gravest_first([*warnings, danger]), 3)
    assert danger in kept
    assert omitted == {"reported.phone": 2}


severities = st.sampled_from(list(Severity))
findings_lists = st.lists(
    st.builds(
        finding,
        code=st.sampled_from(["a.x", "b.y", "c.z"]),
        severity=severities,
        evidence=st.text(max_size=3),
        proof=st.booleans(),
    ),
    max_size=40,
)


@given(findings_lists, st.integers(min_value=1, max_value=5))
def test_leaving_findings_out_never_changes_the_verdict(found: list[Finding], bound: int) -> None:
    ordered = gravest_first(found)
    kept, _ = first_of_each_code(ordered, bound)
    assert verdict_for(list(kept)) == verdict_for(list(ordered))


@given(findings_lists, st.integers(min_value=1, max_value=5))
def test_what_is_left_out_is_never_graver_than_what_is_kept(
    found: list[Finding], bound: int
) -> None:
    ordered = gravest_first(found)
    kept, omitted = first_of_each_code(ordered, bound)
    left_out = [f for f in ordered if f not in kept]
    for code in {f.code for f in found}:
        shown = [RANK[f.severity] for f in kept if f.code == code]
        dropped = [RANK[f.severity] for f in left_out if f.code == code]
        assert len(shown) == min(bound, len(shown) + len(dropped))
        assert omitted.get(code, 0) == len(dropped)
        assert not dropped or max(shown) <= min(dropped)
