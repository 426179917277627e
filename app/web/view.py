"""What the templates show: a checked message as verdict, marked text, findings, advice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.api.present import present
from app.api.schemas import FindingOut
from app.checking import CheckOutcome
from app.engine.findings import Lang, Severity, Verdict
from app.engine.reference.models import Reference
from app.web.highlight import Marked, Piece, pieces

Translate = Callable[..., str]

# Results the user is offered to report: the ones that point at a scam attempt.
REPORTABLE = frozenset({Verdict.IMPERSONATION, Verdict.SUSPICIOUS})


@dataclass(frozen=True, slots=True)
class FindingView:
    number: int
    code: str
    severity: Severity
    message: str
    source: str
    field: str
    evidence: str
    in_message: bool  # located in the pasted text, so marked there with its number
    more: int = 0  # findings of this code left out of the list after this, its last one


@dataclass(frozen=True, slots=True)
class ResultView:
    check_id: str
    verdict: Verdict
    label: str
    summary: str
    findings: tuple[FindingView, ...]
    pieces: tuple[Piece, ...]
    advice: tuple[str, ...]
    stored: bool  # only a check on record can be reported

    @property
    def reportable(self) -> bool:
        return self.verdict in REPORTABLE


def _finding_view(number: int, finding: FindingOut, message: str, more: int) -> FindingView:
    located = (
        finding.field == "message"
        and finding.span is not None
        and 0 <= finding.span.start < finding.span.end <= len(message)
    )
    return FindingView(
        number=number,
        code=finding.code,
        severity=finding.severity,
        message=finding.message,
        source=finding.source,
        field=finding.field,
        evidence=finding.evidence,
        in_message=located,
        more=more,
    )


def _left_out_after(findings: list[FindingOut], omitted: dict[str, int]) -> list[int]:
    """For each finding, how many of its code were left out, told after the last one shown."""
    last = {finding.code: i for i, finding in enumerate(findings)}
    return [omitted.get(f.code, 0) if last[f.code] == i else 0 for i, f in enumerate(findings)]


def result_view(outcome: CheckOutcome, message: str, lang: Lang, ref: Reference) -> ResultView:
    """The checked message as the result page shows it, in the page's language."""
    shown = present(
        outcome.assessment, check_id=outcome.check_id, lang=lang, ref=ref, stored=outcome.stored
    )
    more = _left_out_after(shown.findings, shown.omitted.findings)
    findings = tuple(
        _finding_view(i, f, message, left_out)
        for i, (f, left_out) in enumerate(zip(shown.findings, more, strict=True), 1)
    )
    marks = [
        Marked(f.number, f.severity, out.span.start, out.span.end)
        for f, out in zip(findings, shown.findings, strict=True)
        if f.in_message and out.span is not None
    ]
    return ResultView(
        check_id=shown.id,
        verdict=shown.verdict,
        label=shown.verdict_label,
        summary=shown.summary,
        findings=findings,
        pieces=tuple(pieces(message, marks)),
        advice=tuple(shown.advice),
        stored=outcome.stored,
    )
