"""What the webhook does between receiving a body and answering 200: verify, store, wake."""

from __future__ import annotations

from pydantic import BaseModel

from app.http.errors import NotFound, ServiceUnavailable, Unauthorized
from app.services import Services
from app.store.database import outage_as_unavailable
from app.zalo.events import parse_event
from app.zalo.inbox import event_row
from app.zalo.lifecycle import configured
from app.zalo.signature import verify


class WebhookAck(BaseModel):
    status: str  # accepted | duplicate | ignored


def require_configured(services: Services) -> tuple[str, str]:
    """The app id and OA secret key; 404 while the chatbot is not configured."""
    settings = services.settings
    if not configured(settings) or not settings.zalo_app_id or not settings.zalo_oa_secret_key:
        raise NotFound("The Zalo Official Account integration is not configured.")
    return settings.zalo_app_id, settings.zalo_oa_secret_key.get_secret_value()


def authenticate(services: Services, signature: str | None, raw_body: bytes) -> None:
    app_id, oa_secret_key = require_configured(services)
    if not verify(signature, app_id, raw_body, oa_secret_key):
        raise Unauthorized(
            "The X-ZEvent-Signature header is missing or does not match this body.",
            headers={"WWW-Authenticate": 'ZEventSignature realm="zalo-webhook"'},
        )


async def receive(services: Services, raw_body: bytes) -> WebhookAck:
    """Store an authenticated event for the worker; the work itself happens after the 200."""
    event = parse_event(raw_body)
    if event is None or not event.handled:
        return WebhookAck(status="ignored")
    worker = services.zalo
    if worker is None or services.database is None:
        raise ServiceUnavailable("The Zalo integration is starting or stopping.", retry_after=5)
    row = event_row(event, raw_body, services.settings.zalo_lease_seconds)
    with outage_as_unavailable():
        taken = await worker.take(row)
    # Not taken: Zalo sent it again, and it is answered once.
    return WebhookAck(status="accepted" if taken else "duplicate")
