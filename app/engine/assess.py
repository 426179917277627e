"""The engine: a claim and its context in, findings, a verdict and advice out. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.engine import claimgate
from app.engine.claim import VIETNAM, Claim, Context, Revision
from app.engine.extract import Extracted, extract, indicators, is_official
from app.engine.findings import Finding, Severity, Verdict, first_of_each_code, verdict_for
from app.engine.reference.models import Reference
from app.engine.validators.channel import check_channel
from app.engine.validators.links import check_link
from app.engine.validators.phone import ExtensionMention, check_extension, check_phone, parse_phone
from app.engine.validators.sender import check_sender, parse_sender
from app.engine.validators.text import check_text
from app.engine.validators.textlexicon import compiled
from app.engine.validators.ticket import TicketMention, check_ticket, written_ticket

_SEVERITY_RANK = {Severity.DANGER: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class Assessment:
    """`findings` are at most Context.findings_per_code of each code, the gravest first;
    `omitted` counts, by code, those left out. The verdict and the advice rest on all."""

    verdict: Verdict
    findings: tuple[Finding, ...]
    extracted: Extracted
    advice: tuple[str, ...]  # keys of the advice catalogue, rendered per language
    received_at: dt.datetime
    omitted: Mapping[str, int] = field(default_factory=dict)


def _ticket_findings(
    claim: Claim, ex: Extracted, ctx: Context, received: dt.datetime
) -> list[Finding]:
    ref = ctx.reference
    mentions: list[TicketMention] = []
    if claim.ticket_code:
        mentions.append(written_ticket(claim.ticket_code, ref.ticket))
    seen = {m.code for m in mentions}
    for mention in ex.tickets:
        if mention.code not in seen:
            seen.add(mention.code)
            mentions.append(mention)
    if not mentions:
        return [
            Finding(
                "ticket.missing",
                Severity.WARNING,
                "ticket_code",
                "",
                tuple(ref.ticket.sources),
                params=(("format", ref.ticket.format),),
            )
        ]
    found: list[Finding] = []
    for mention in mentions:
        field = "message" if mention.span else "ticket_code"
        checked = check_ticket(
            mention,
            field=field,
            received_at=received,
            stale_after_days=ctx.stale_after_days,
            reference=ref,
        )
        found += checked
        if any(f.code == "ticket.valid" for f in checked):
            found += _registry_findings(mention, field, claim, ctx)
    return found


def _registry_findings(
    mention: TicketMention, field: str, claim: Claim, ctx: Context
) -> list[Finding]:
    if ctx.registry is None:
        return []
    sources = tuple(ctx.reference.ticket.sources)
    record = ctx.registry.get(mention.code)
    units_match = record is not None and (
        not record.unit_code or not claim.unit_code or record.unit_code == claim.unit_code
    )
    if record is not None and record.revoked:
        return [
            Finding(
                "ticket.revoked", Severity.WARNING, field, mention.written, sources, mention.span
            )
        ]
    if record is not None and units_match:
        return [
            Finding(
                "ticket.registered",
                Severity.INFO,
                field,
                mention.written,
                sources,
                mention.span,
                proof=True,
            )
        ]
    if ctx.registry_authoritative:
        return [
            Finding(
                "ticket.unregistered",
                Severity.DANGER,
                field,
                mention.written,
                sources,
                mention.span,
            )
        ]
    return []


def _sender_findings(claim: Claim, ex: Extracted, ref: Reference) -> list[Finding]:
    found: list[Finding] = []
    if claim.sender:
        found += check_sender(parse_sender(claim.sender), field="sender", reference=ref)
    for sender in ex.senders:
        checked = check_sender(sender, field="message", reference=ref)
        # An ordinary address quoted in a text (the unit's own, a colleague's) is no claim
        # to be support; only the official one and look-alikes of it say something.
        found += [f for f in checked if f.code in ("sender.official", "sender.lookalike")]
    return found


def _phone_findings(claim: Claim, ex: Extracted, ref: Reference) -> list[Finding]:
    found: list[Finding] = []
    if claim.phone:
        found += check_phone(parse_phone(claim.phone), field="phone", reference=ref)
    for phone in ex.phones:
        found += check_phone(phone, field="message", reference=ref)
    if claim.extension:
        typed = ExtensionMention(claim.extension, claim.extension.strip(), None)
        found += check_extension(typed, field="extension", reference=ref)
    for extension in ex.extensions:
        found += check_extension(extension, field="message", reference=ref)
    return found


def _reported_text_finding(ctx: Context) -> list[Finding]:
    text = ctx.reported_text
    if text is None or text.count <= 0:
        return []
    severity = Severity.DANGER if text.count >= ctx.report_danger_threshold else Severity.WARNING
    since = text.since.astimezone(VIETNAM).date().isoformat()
    params = (("count", str(text.count)), ("since", since))
    return [Finding("reported.text", severity, "message", "", (), params=params)]


def _reported_findings(claim: Claim, ex: Extracted, ctx: Context) -> list[Finding]:
    found = _reported_text_finding(ctx)
    if not ctx.reported:  # nothing named in this claim was ever reported
        return found
    for indicator in sorted(indicators(claim, ex), key=lambda i: (i.kind, i.value)):
        count = ctx.reported.get(indicator, 0)
        if count <= 0 or is_official(indicator, ctx.reference):
            continue
        severity = Severity.DANGER if count >= ctx.report_danger_threshold else Severity.WARNING
        found.append(
            Finding(
                f"reported.{indicator.kind.value}",
                severity,
                "indicators",
                indicator.value,
                (),
                params=(("count", str(count)),),
            )
        )
    return found


def _sort_key(f: Finding) -> tuple[int, str, bool, int, str, str]:
    # A proof before the findings of its code and severity that prove nothing: listing a
    # few of a code must never leave the one proof out.
    position = f.span.start if f.span else -1
    return (_SEVERITY_RANK[f.severity], f.code, not f.proof, position, f.field, f.evidence)


def advice_for(verdict: Verdict, findings: tuple[Finding, ...]) -> tuple[str, ...]:
    codes = {f.code for f in findings}
    lead = {
        Verdict.IMPERSONATION: ("stop", "if_already_gave"),
        Verdict.SUSPICIOUS: ("ask_ticket",),
        Verdict.PLAUSIBLE: ("confirm_before_acting",),
        Verdict.AUTHENTIC: ("authentic_still_never",),
    }[verdict]
    tail = ["call_switchboard", "write_official", "never_give"]
    if "request.mandatory_remote_signing" in codes:
        tail.append("remote_signing_optional")
    if "request.change_email" in codes:
        tail.append("check_account_email")
    return (*lead, *tail)


def _text_findings(claim: Claim, ex: Extracted, context: Context) -> Revision:
    """What the text asks for (the rules, then the learned layer's judgement of them)
    and its links; with the rules alone, every text is taken as a claim to be support."""
    ref = context.reference
    words = compiled(ref).norm.tokens(claim.message)  # read once, for the rules and the layer
    found = [
        *check_text(claim.message, ref, words),
        *(f for link in ex.links for f in check_link(link, reference=ref)),
    ]
    if context.text_layer is not None and claim.message:
        return context.text_layer.revise(claim.message, found, words)
    return Revision(found, reads_as_claim=True)


def assess(claim: Claim, context: Context, extracted: Extracted | None = None) -> Assessment:
    """Judge a claimed support contact against the published facts (SPEC §4)."""
    ref = context.reference
    received = claim.received_at or context.now or dt.datetime.now(dt.UTC)
    ex = extracted if extracted is not None else extract(claim.message, ref)
    text = _text_findings(claim, ex, context)
    findings = [
        *_ticket_findings(claim, ex, context, received),
        *_sender_findings(claim, ex, ref),
        *_phone_findings(claim, ex, ref),
        *check_channel(claim.channel, reference=ref),
        *text.findings,
        *_reported_findings(claim, ex, context),
        *context.extra_findings,
    ]
    if context.text_layer is not None:  # the rules alone gate nothing (claimgate)
        findings = claimgate.apply(findings, text.reads_as_claim, text.disowned)
    ordered = tuple(sorted(dict.fromkeys(findings), key=_sort_key))
    verdict = verdict_for(list(ordered))
    advice = advice_for(verdict, ordered)
    shown, omitted = first_of_each_code(ordered, context.findings_per_code)
    return Assessment(verdict, shown, ex, advice, received, omitted)
