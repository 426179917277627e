"""The vocabulary every part of thatgia speaks: severities, findings, verdicts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

# An answer lists at most this many findings of one code. A pasted list of 1,800 numbers is
# 1,800 findings of one code, 777 KB of JSON that says nothing the first few do not; the
# verdict and the advice still rest on every finding, and the rest are counted.
FINDINGS_PER_CODE = 3


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    DANGER = "danger"


class Verdict(StrEnum):
    IMPERSONATION = "impersonation"
    SUSPICIOUS = "suspicious"
    AUTHENTIC = "authentic"
    PLAUSIBLE = "plausible"


class Lang(StrEnum):
    VI = "vi"
    EN = "en"


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character range [start, end) in the text the finding names."""

    start: int
    end: int


def cover_spans(text: str, spans: Iterable[Span], cover: Callable[[str], str]) -> str:
    """The text with each span's characters replaced by `cover` of them (same length),
    once each where spans overlap; built by slicing, not a character at a time."""
    pieces, done = [], 0
    for start, end in sorted((span.start, span.end) for span in spans):
        start = max(start, done)
        if start < end:
            pieces += [text[done:start], cover(text[start:end])]
            done = end
    pieces.append(text[done:])
    return "".join(pieces)


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation about a claim.

    `code` is a stable public identifier (SPEC §5); `field` names the input it concerns
    (`message`, `sender`, `phone`, `extension`, `ticket_code`, `channel`, `mail.*`);
    `evidence` is the text exactly as the user wrote it; `span` locates it in `message`
    when it was found there. `params` fill the explanation template of the code.
    `sources` are ids of notices in the reference data. A finding with `proof` set is
    evidence of authenticity (SPEC §4).
    """

    code: str
    severity: Severity
    field: str
    evidence: str
    sources: tuple[str, ...]
    span: Span | None = None
    params: tuple[tuple[str, str], ...] = ()
    proof: bool = False

    def param(self, name: str) -> str | None:
        return dict(self.params).get(name)


def verdict_for(findings: list[Finding]) -> Verdict:
    """SPEC §4, exactly: danger beats warning beats proof beats nothing."""
    severities = {f.severity for f in findings}
    if Severity.DANGER in severities:
        return Verdict.IMPERSONATION
    if Severity.WARNING in severities:
        return Verdict.SUSPICIOUS
    if any(f.proof for f in findings):
        return Verdict.AUTHENTIC
    return Verdict.PLAUSIBLE


def first_of_each_code(
    ordered: tuple[Finding, ...], per_code: int
) -> tuple[tuple[Finding, ...], dict[str, int]]:
    """The first `per_code` findings of each code in the given order, and how many of each
    code were left out. Given findings sorted gravest first, a danger is never left out while
    a lesser finding of its code is kept."""
    kept: list[Finding] = []
    seen: dict[str, int] = {}
    omitted: dict[str, int] = {}
    for finding in ordered:
        count = seen.get(finding.code, 0)
        seen[finding.code] = count + 1
        if count < per_code:
            kept.append(finding)
        else:
            omitted[finding.code] = omitted.get(finding.code, 0) + 1
    return tuple(kept), omitted
