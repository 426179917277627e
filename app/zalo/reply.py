"""The texts the chatbot sends back, always within one Zalo message."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from app.engine.assess import Assessment
from app.engine.findings import Finding, Lang, Severity, Verdict
from app.engine.i18n import (
    advice_text,
    catalogue,
    finding_message,
    text,
    verdict_label,
    verdict_summary,
)
from app.engine.reference.models import Reference

# Zalo refuses a text message of more than 2,000 characters; staying strictly below leaves
# no doubt about how the limit is counted at the edge.
MAX_CHARS = 2_000
# No single reason or piece of advice may crowd out the others (a finding quoting a very
# long link, say): each is clipped to this before whole items are fitted.
ITEM_CHARS = 400
MAX_REASONS = 3


def zalo_length(message: str) -> int:
    """Length as UTF-16 code units, which counts an emoji as two: never less than len()."""
    return len(message.encode("utf-16-le")) // 2


def clip(item: str, limit: int = ITEM_CHARS) -> str:
    """Shorten at a word boundary, marking the cut with an ellipsis."""
    if zalo_length(item) <= limit:
        return item
    cut = item[: limit - 1]
    while zalo_length(cut) > limit - 1:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    items: tuple[str, ...]
    bullet: str = "•"
    footer: str = ""  # a line after the items, shown whenever one of them is


def _render(head: str, sections: list[Section], keep: set[tuple[int, int]], note: str) -> str:
    blocks = [head]
    for s, section in enumerate(sections):
        lines = [
            f"{section.bullet} {item}" for i, item in enumerate(section.items) if (s, i) in keep
        ]
        footer = [section.footer] if section.footer else []
        if lines:
            blocks.append("\n".join([section.heading, *lines, *footer]))
    if note:
        blocks.append(note)
    return unicodedata.normalize("NFC", "\n\n".join(blocks))


def _priority(sections: list[Section]) -> list[tuple[int, int]]:
    """The first item of every section before the rest, so no section is lost whole."""
    firsts = [(s, 0) for s, section in enumerate(sections) if section.items]
    rest = [(s, i) for s, section in enumerate(sections) for i in range(1, len(section.items))]
    return firsts + rest


def fit(head: str, sections: list[Section], cut_note: str, limit: int = MAX_CHARS) -> str:
    """As many whole items as fit under `limit`, in order of priority; say so if any was cut."""
    head = clip(head, limit // 2)
    sections = [
        Section(s.heading, tuple(clip(i) for i in s.items), s.bullet, clip(s.footer))
        for s in sections
    ]
    keep: set[tuple[int, int]] = set()
    dropped = False
    for slot in _priority(sections):
        trial = keep | {slot}
        if zalo_length(_render(head, sections, trial, cut_note)) < limit:
            keep = trial
        else:
            dropped = True
    return _render(head, sections, keep, cut_note if dropped else "")


def top_reasons(assessment: Assessment, count: int = MAX_REASONS) -> list[Finding]:
    """The findings that carry the verdict, one per code first, most severe first."""
    findings = list(assessment.findings)
    if assessment.verdict in (Verdict.IMPERSONATION, Verdict.SUSPICIOUS):
        findings = [f for f in findings if f.severity is not Severity.INFO]
    distinct: list[Finding] = []
    repeats: list[Finding] = []
    seen: set[str] = set()
    for finding in findings:
        (repeats if finding.code in seen else distinct).append(finding)
        seen.add(finding.code)
    return (distinct + repeats)[:count]


def verdict_reply(assessment: Assessment, ref: Reference, lang: Lang = Lang.VI) -> str:
    """Verdict in one line, its summary, the top reasons with their notices, the advice."""
    icon = str(catalogue()["zalo"]["icons"][assessment.verdict.value])
    label = verdict_label(assessment.verdict, lang)
    head = f"{icon} {label}\n{verdict_summary(assessment.verdict, lang)}"
    reasons = []
    for finding in top_reasons(assessment):
        cite = f" [{ref.cite(finding.sources)}]" if finding.sources else ""
        reasons.append(finding_message(finding, lang, ref) + cite)
    advice = [advice_text(key, lang, ref) for key in assessment.advice]
    left_out = sum(assessment.omitted.values())
    more = text("zalo", "more", lang, ref, count=str(left_out)) if left_out else ""
    sections = [
        Section(text("zalo", "reasons", lang, ref), tuple(reasons), footer=more),
        Section(text("zalo", "advice", lang, ref), tuple(advice), bullet="–"),
    ]
    return fit(head, sections, text("zalo", "cut", lang, ref))


def welcome_reply(ref: Reference, lang: Lang = Lang.VI) -> str:
    """How to recognise real Treasury support, from the reference data."""
    real = tuple(text("zalo", key, lang, ref) for key in ("real_sender", "real_ticket"))
    real += (text("zalo", "real_switchboard", lang, ref),)
    never = tuple(getattr(statement, lang.value) for statement in ref.never)
    sections = [
        Section(text("zalo", "real", lang, ref), real),
        Section(text("zalo", "never", lang, ref), never, bullet="✗"),
    ]
    return fit(text("zalo", "welcome", lang, ref), sections, "")


def unreadable_reply(ref: Reference, lang: Lang = Lang.VI) -> str:
    return text("zalo", "unreadable", lang, ref)


def empty_reply(ref: Reference, lang: Lang = Lang.VI) -> str:
    return text("zalo", "empty", lang, ref)
