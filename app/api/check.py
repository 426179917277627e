"""POST /v1/check: a claimed support contact in, a verdict with reasons out."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.api.present import present
from app.api.schemas import CheckRequest, CheckResponse
from app.checking import run_check
from app.config import Settings
from app.engine.claim import Claim
from app.http.deps import JSON_CALL_HEADERS, json_body, json_body_openapi, json_call
from app.http.errors import PayloadTooLarge, Unprocessable

router = APIRouter(prefix="/v1", tags=["check"])


def to_claim(body: CheckRequest, settings: Settings) -> Claim:
    message = body.message or ""
    if len(message) > settings.max_message_chars:
        raise PayloadTooLarge(
            f"The message has {len(message)} characters; the limit is "
            f"{settings.max_message_chars}. Paste the part that asks you to do something."
        )
    claim = body.to_claim()
    if claim.is_empty():
        raise Unprocessable(
            "Nothing to check: give at least one of message, sender, phone, extension, "
            "ticket_code or channel."
        )
    return claim


@router.post(
    "/check",
    openapi_extra={
        "parameters": JSON_CALL_HEADERS,
        "requestBody": json_body_openapi(CheckRequest),
    },
    responses={
        413: {"description": "Message or body too large"},
        415: {"description": "Body is not JSON"},
        422: {"description": "Invalid or empty claim"},
    },
)
async def check(request: Request) -> CheckResponse:
    """Check a claimed Treasury IT support contact against the published notices."""
    call = json_call(request)
    services = call.services
    claim = to_claim(await json_body(request, CheckRequest), services.settings)
    outcome = await run_check(claim, services)
    return present(
        outcome.assessment,
        check_id=outcome.check_id,
        lang=call.lang,
        ref=services.reference,
        stored=outcome.stored,
    )
