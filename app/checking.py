"""One check, whoever asks: the API, the web form and the chatbot all come through here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import anyio

from app.assess import Assessment, assess
from app.claim import Claim, Context
from app.metrics import observe_check
from app.services import Services

# Below this size the engine answers in well under a millisecond: a thread hop costs more.
INLINE_MESSAGE_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    check_id: str
    assessment: Assessment
    stored: bool


def base_context(services: Services) -> Context:
    settings = services.settings
    return Context(
        reference=services.reference,
        stale_after_days=settings.ticket_stale_days,
        registry_authoritative=settings.ticket_registry_authoritative,
        report_danger_threshold=settings.report_danger_threshold,
    )


async def run_engine(claim: Claim, context: Context) -> Assessment:
    if len(claim.message) <= INLINE_MESSAGE_CHARS:
        return assess(claim, context)
    return await anyio.to_thread.run_sync(assess, claim, context)


async def run_check(claim: Claim, services: Services) -> CheckOutcome:
    """Assess a claim with everything the service knows."""
    assessment = await run_engine(claim, base_context(services))
    observe_check(assessment.verdict.value, claim.channel.value if claim.channel else "none")
    return CheckOutcome(str(uuid.uuid4()), assessment, stored=False)
