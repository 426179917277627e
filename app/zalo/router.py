"""The Zalo Official Account chatbot: the signed webhook, and the replies that failed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from app.api.schemas import ROW_ID_MAX, Schema
from app.http.auth import AUTH_RESPONSES, AdminKey
from app.http.deps import DatabaseDep, ServicesDep, json_body_openapi
from app.services import Services
from app.store.database import outage_as_unavailable
from app.zalo.events import Event
from app.zalo.outbox import final_failures
from app.zalo.webhook import WebhookAck, authenticate, receive, require_configured

router = APIRouter(prefix="/v1/integrations/zalo", tags=["zalo"])

NOT_CONFIGURED: dict[int | str, dict[str, Any]] = {
    404: {"description": "The Zalo integration is not configured"}
}


class FailedReply(Schema):
    id: int
    event_id: int
    user_id: str
    status: str = Field(
        description="failed (retries exhausted), undeliverable (Zalo refused the user), or "
        "unanswered (the event could not be processed: nothing was sent; see last_error)"
    )
    attempts: int
    error_code: int | None = Field(description="Zalo's error code of the last attempt.")
    last_error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class FailedReplies(Schema):
    failures: list[FailedReply]


# The header the webhook reads itself, for the OpenAPI description: a Header() parameter
# costs FastAPI some 30 µs a request to work out, on the path Zalo wants answered quickest
# (with the routers' order, 15-25 % of an acknowledgement's CPU: app.main).
SIGNATURE_HEADER = [
    {"name": "X-ZEvent-Signature", "in": "header", "required": True,
     "schema": {"type": "string"},
     "description": "mac=<hex SHA-256 of app_id + body + timestamp + OA secret key>"},
]  # fmt: skip


@router.post(
    "/webhook",
    # The body is read as sent (the signature covers its bytes); documented as the event.
    openapi_extra={"parameters": SIGNATURE_HEADER, "requestBody": json_body_openapi(Event)},
    responses={
        **NOT_CONFIGURED,
        401: {"description": "X-ZEvent-Signature missing or wrong"},
        413: {"description": "Body too large"},
        503: {"description": "The database is unreachable: Zalo will deliver again"},
    },
)
async def webhook(request: Request) -> WebhookAck:
    """Receive an OA event: verify its signature, store it, acknowledge; reply comes after."""
    services: Services = request.app.state.services
    raw_body = await request.body()
    authenticate(services, request.headers.get("x-zevent-signature"), raw_body)
    return await receive(services, raw_body)


@router.get("/failures", responses={**NOT_CONFIGURED, **AUTH_RESPONSES})
async def failures(
    services: ServicesDep,
    database: DatabaseDep,
    caller: AdminKey,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[
        int | None, Query(ge=1, le=ROW_ID_MAX, description="Page: ids below this one.")
    ] = None,
) -> FailedReplies:
    """Replies that will not be delivered, newest first (scope admin)."""
    require_configured(services)
    with outage_as_unavailable():
        rows = await final_failures(database, limit, before_id)
    return FailedReplies(failures=[FailedReply.model_validate(row) for row in rows])
