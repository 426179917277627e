"""POST /v1/check: a claimed support contact in, a verdict with reasons out."""

from __future__ import annotations

import uuid

import anyio
from fastapi import APIRouter

from app.assess import Assessment, assess
from app.claim import Claim, Context
from app.config import Settings
from app.deps import JsonBody, LangDep, ReferenceDep, SettingsDep
from app.errors import PayloadTooLarge, Unprocessable
from app.metrics import observe_check
from app.present import present
from app.reference.models import Reference
from app.schemas import CheckRequest, CheckResponse

router = APIRouter(prefix="/v1", tags=["check"])

# Below this size the engine answers in well under a millisecond: a thread hop costs more.
INLINE_MESSAGE_CHARS = 4_000


def to_claim(body: CheckRequest, settings: Settings) -> Claim:
    message = body.message or ""
    if len(message) > settings.max_message_chars:
        raise PayloadTooLarge(
            f"The message has {len(message)} characters; the limit is "
            f"{settings.max_message_chars}. Paste the part that asks you to do something."
        )
    claim = Claim(
        message=message,
        sender=body.sender,
        phone=body.phone,
        extension=body.extension,
        ticket_code=body.ticket_code,
        channel=body.channel,
        unit_code=body.unit_code,
        received_at=body.received_at,
    )
    if claim.is_empty():
        raise Unprocessable(
            "Nothing to check: give at least one of message, sender, phone, extension, "
            "ticket_code or channel."
        )
    return claim


def context_for(settings: Settings, reference: Reference) -> Context:
    return Context(
        reference=reference,
        stale_after_days=settings.ticket_stale_days,
        registry_authoritative=settings.ticket_registry_authoritative,
        report_danger_threshold=settings.report_danger_threshold,
    )


async def run_engine(claim: Claim, context: Context) -> Assessment:
    if len(claim.message) <= INLINE_MESSAGE_CHARS:
        return assess(claim, context)
    return await anyio.to_thread.run_sync(assess, claim, context)


@router.post(
    "/check",
    dependencies=[JsonBody],
    responses={
        413: {"description": "Message or body too large"},
        415: {"description": "Body is not JSON"},
        422: {"description": "Invalid or empty claim"},
    },
)
async def check(
    body: CheckRequest, settings: SettingsDep, reference: ReferenceDep, lang: LangDep
) -> CheckResponse:
    """Check a claimed Treasury IT support contact against the published notices."""
    claim = to_claim(body, settings)
    assessment = await run_engine(claim, context_for(settings, reference))
    observe_check(assessment.verdict.value, claim.channel.value if claim.channel else "none")
    return present(assessment, check_id=str(uuid.uuid4()), lang=lang, ref=reference, stored=False)
