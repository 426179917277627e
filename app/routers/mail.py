"""POST /v1/mail/check: a raw message from a mail gateway, authenticated and assessed."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Query, Request
from pydantic import Field, IPvAnyAddress

from app.auth import AUTH_RESPONSES, GatewayKey
from app.checking import run_check
from app.deps import LangDep, ServicesDep
from app.errors import Unprocessable, UnsupportedMediaType
from app.mailauth import FIELD_NAME, AuthenticationReport, Resolver, authenticate
from app.mailauth import authentication_results as ar_header
from app.mailcheck import attachment_findings, auth_findings, mail_claim, structure_findings
from app.mailparse import parse_message
from app.present import present
from app.schemas import CheckResponse
from app.services import Services

router = APIRouter(prefix="/v1/mail", tags=["mail gateway"])
MAIL_TYPES = ("message/rfc822", "application/octet-stream", "text/plain")


class MailCheckResponse(CheckResponse):
    authentication: dict[str, Any] = Field(description="spf, dkim[], dmarc")
    headers: dict[str, str] = Field(description="Header fields for the gateway to add.")


def resolver_for(services: Services) -> Resolver:
    """One resolver (and so one DNS cache) per process, shared by SPF, DKIM and DMARC."""
    resolver = services.extras.get("resolver")
    if not isinstance(resolver, Resolver):
        settings = services.settings
        resolver = Resolver(settings.dns_nameservers, timeout=settings.dns_timeout)
        services.extras["resolver"] = resolver
    return resolver


def _require_message(content_type: str | None, raw: bytes) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in MAIL_TYPES:
        raise UnsupportedMediaType(
            f"Send the raw message as message/rfc822 (got {media or 'no Content-Type'})."
        )
    if not raw.strip():
        raise Unprocessable("The body is empty: send the message exactly as received.")


async def _authenticate(
    raw: bytes,
    services: Services,
    client_ip: str | None,
    helo: str | None,
    mail_from: str | None,
    from_domain: str | None,
) -> AuthenticationReport:
    # DNS blocks: the event loop must not wait on it.
    job = partial(
        authenticate,
        raw,
        client_ip=client_ip,
        helo=helo,
        mail_from=mail_from,
        from_domain=from_domain,
        resolver=resolver_for(services),
        budget=services.settings.dns_budget,
    )
    return await anyio.to_thread.run_sync(job)


@router.post(
    "/check",
    responses={
        **AUTH_RESPONSES,
        413: {"description": "Message too large"},
        415: {"description": "Not message/rfc822"},
        422: {"description": "Empty message or bad query"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def mail_check(
    request: Request,
    services: ServicesDep,
    lang: LangDep,
    _caller: GatewayKey,
    client_ip: Annotated[IPvAnyAddress | None, Query(description="SMTP client IP")] = None,
    helo: Annotated[str | None, Query(max_length=255)] = None,
    mail_from: Annotated[str | None, Query(max_length=320, description="envelope sender")] = None,
    content_type: Annotated[str | None, Header()] = None,
) -> MailCheckResponse:
    """Authenticate a received message (SPF, DKIM, alignment) and assess what it says."""
    raw = await request.body()
    _require_message(content_type, raw)
    settings = services.settings
    parsed = await anyio.to_thread.run_sync(
        partial(parse_message, raw, max_text_chars=settings.max_message_chars)
    )
    report = await _authenticate(
        raw, services, str(client_ip) if client_ip else None, helo, mail_from, parsed.from_domain
    )
    extra = (
        *auth_findings(parsed, report, services.reference),
        *structure_findings(parsed, mail_from, services.reference),
        *attachment_findings(parsed, services.reference),
    )
    outcome = await run_check(mail_claim(parsed), services, extra)
    base = present(
        outcome.assessment,
        check_id=outcome.check_id,
        lang=lang,
        ref=services.reference,
        stored=outcome.stored,
    )
    headers = {
        FIELD_NAME: ar_header(report, settings.authserv_id),
        "X-Thatgia-Verdict": outcome.assessment.verdict.value,
    }
    return MailCheckResponse(**base.model_dump(), authentication=report.as_dict(), headers=headers)
