"""One check, whoever asks: the API, the web form and the chatbot all come through here."""

from __future__ import annotations

from dataclasses import dataclass

import anyio

from app import fingerprint as fp
from app.engine.assess import Assessment, assess
from app.engine.claim import Claim, Context
from app.engine.extract import Extracted, extract, indicators
from app.engine.findings import Finding
from app.engine.lookups import claim_ticket_codes, reportable
from app.metrics import observe_check
from app.services import Services
from app.store.ids import time_ordered_uuid
from app.store.memory import Memory, recall, remember

# The engine takes about a millisecond per 1,000 characters. Up to this size it runs on the
# event loop; longer messages go to a worker thread, so as not to hold up other requests.
INLINE_MESSAGE_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    check_id: str
    assessment: Assessment
    stored: bool


def context_for(
    services: Services, memory: Memory | None = None, extra_findings: tuple[Finding, ...] = ()
) -> Context:
    """What the engine is given: the settings, what the database remembers, and what the
    adapter found itself; built whole, rather than built and then copied by dataclasses.replace."""
    settings, memory = services.settings, memory or Memory()
    return Context(
        reference=services.reference,
        stale_after_days=settings.ticket_stale_days,
        registry_authoritative=settings.ticket_registry_authoritative,
        report_danger_threshold=settings.report_danger_threshold,
        registry=memory.registry,
        reported=memory.reported,
        reported_text=memory.reported_text,
        extra_findings=extra_findings,
        text_layer=services.text_layer,
    )


def warm_up(context: Context) -> None:
    """Build what the engine builds on first use (the lexicon's index, the folding table,
    phone metadata) at start-up, rather than in the first request's time."""
    assess(Claim(message="Gọi 024 6276 4300, máy lẻ 88617: hotrocntt@vst.gov.vn"), context)


async def run_extract(claim: Claim, services: Services) -> Extracted:
    if len(claim.message) <= INLINE_MESSAGE_CHARS:
        return extract(claim.message, services.reference)
    return await anyio.to_thread.run_sync(extract, claim.message, services.reference)


async def run_engine(
    claim: Claim, context: Context, extracted: Extracted | None = None
) -> Assessment:
    if len(claim.message) <= INLINE_MESSAGE_CHARS:
        return assess(claim, context, extracted)
    return await anyio.to_thread.run_sync(assess, claim, context, extracted)


def text_fingerprint(extracted: Extracted) -> fp.Signature | None:
    """The fingerprint of the message's text, looked up among reported campaigns and kept
    in the audit record for a report to use (the record may keep no text)."""
    return fp.fingerprint(extracted.folded.text) if extracted.folded is not None else None


async def run_check(
    claim: Claim, services: Services, extra_findings: tuple[Finding, ...] = ()
) -> CheckOutcome:
    """Assess a claim with everything the service knows (and what the adapter found)."""
    # Extracted first: its ticket codes and indicators are what the database is asked about.
    extracted = await run_extract(claim, services)
    wanted = reportable(indicators(claim, extracted), services.reference)
    codes = claim_ticket_codes(claim, extracted, services.reference)
    signature = text_fingerprint(extracted)
    memory = await recall(services, codes, wanted, signature)
    context = context_for(services, memory, extra_findings)
    assessment = await run_engine(claim, context, extracted)
    observe_check(assessment.verdict.value, claim.channel.value if claim.channel else "none")
    check_id = time_ordered_uuid()
    stored = await remember(services, check_id, claim, assessment, wanted, signature)
    return CheckOutcome(str(check_id), assessment, stored)
