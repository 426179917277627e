"""POST /v1/mail/check: a raw message from a mail gateway, authenticated and assessed."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Query, Request
from pydantic import AfterValidator, Field, WithJsonSchema

from app.api.present import present
from app.api.schemas import CheckResponse
from app.checking import run_check
from app.http.auth import AUTH_RESPONSES, GatewayKey
from app.http.deps import LangDep, ServicesDep
from app.http.errors import Unprocessable, UnsupportedMediaType
from app.mail.auth import FIELD_NAME, AuthenticationReport, Deadline, authenticate
from app.mail.auth import authentication_results as ar_header
from app.mail.check import attachment_findings, auth_findings, mail_claim, structure_findings
from app.mail.parse import Budget, parse_message
from app.services import Services

router = APIRouter(prefix="/v1/mail", tags=["mail gateway"])
MAIL_TYPES = ("message/rfc822", "application/octet-stream", "text/plain")


def _plain_ip(value: str) -> str:
    """An IPv4 or IPv6 address as SPF evaluates it: no zone (`%eth0`), no brackets."""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        address = None
    if address is None or getattr(address, "scope_id", None):
        raise ValueError("client_ip must be an IPv4 or IPv6 address, without a zone")
    return str(address)


ClientIP = Annotated[
    str,
    AfterValidator(_plain_ip),
    WithJsonSchema({"type": "string", "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}),
]


class MailCheckResponse(CheckResponse):
    authentication: dict[str, Any] = Field(description="spf, dkim[], dmarc")
    headers: dict[str, str] = Field(description="Header fields for the gateway to add.")


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
    deadline: Deadline,
) -> AuthenticationReport:
    # DNS blocks: the event loop must not wait on it.
    job = partial(
        authenticate,
        raw,
        client_ip=client_ip,
        helo=helo,
        mail_from=mail_from,
        from_domain=from_domain,
        resolver=services.resolver,
        budget=deadline,
    )
    return await anyio.to_thread.run_sync(job)


@asynccontextmanager
async def _stopped_if_client_leaves(
    request: Request, budget: Budget, deadline: Deadline
) -> AsyncIterator[None]:
    """Work in worker threads cannot be killed: when the client goes away, the reading
    and the DNS look-ups are told to stop at their next step instead."""

    async def watch() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        budget.cancel()
        deadline.expire()

    async with anyio.create_task_group() as group:
        group.start_soon(watch)
        try:
            yield
        finally:
            group.cancel_scope.cancel()


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
    client_ip: Annotated[ClientIP | None, Query(description="SMTP client IP")] = None,
    helo: Annotated[str | None, Query(max_length=255)] = None,
    mail_from: Annotated[str | None, Query(max_length=320, description="envelope sender")] = None,
    content_type: Annotated[str | None, Header()] = None,
) -> MailCheckResponse:
    """Authenticate a received message (SPF, DKIM, alignment) and assess what it says."""
    raw = await request.body()
    _require_message(content_type, raw)
    settings = services.settings
    budget, deadline = Budget(settings.mail_cpu_budget), Deadline(settings.dns_budget)
    async with _stopped_if_client_leaves(request, budget, deadline):
        parsed = await anyio.to_thread.run_sync(
            partial(parse_message, raw, max_text_chars=settings.max_message_chars, budget=budget)
        )
        report = await _authenticate(
            raw, services, client_ip, helo, mail_from, parsed.from_domain, deadline
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
