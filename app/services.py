"""What the adapters share at run time, built once per application (app.main.create_app).

Every adapter reaches these through `request.app.state.services`: the settings and the
reference data are kept here and nowhere else on the application.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.config import Settings
from app.engine.claim import TextLayer
from app.engine.reference.models import Reference
from app.mail.auth.dns import Resolver
from app.ocr.service import Ocr
from app.store.campaignindex import CampaignIndex
from app.store.database import Database


class ZaloIntake(Protocol):
    """The running Zalo worker as the webhook hands it events (app.zalo.worker.Worker).

    Typed by what it does, not by its class: the worker runs checks with these services,
    so the two modules cannot import each other."""

    async def take(self, row: dict[str, Any]) -> bool:
        """Store a webhook's event and answer it; False for one Zalo had delivered before."""
        ...


# Whether a dependency answers, for /readyz.
Probe = Callable[[], Awaitable[bool]]


@dataclass
class Services:
    settings: Settings
    reference: Reference
    # The learned layer the engine runs beside the text rules; None: the rules alone.
    text_layer: TextLayer | None = None
    # Opened by app.store.lifecycle.database_lifecycle; None outside the application's lifespan.
    database: Database | None = None
    # Loaded and kept up by app.store.lifecycle.campaign_index_lifecycle, None outside it.
    campaign_index: CampaignIndex | None = None
    # Reading images: the pool, or why there is none (Tesseract missing).
    ocr: Ocr | None = None
    # Set by app.zalo.lifecycle while the chatbot runs.
    zalo: ZaloIntake | None = None
    # One DNS resolver, and so one cache, for the process's SPF, DKIM and DMARC look-ups.
    resolver: Resolver = field(init=False)
    # Signs the web forms' CSRF tokens: THATGIA_SECRET_KEY, else random for this process.
    csrf_key: bytes = field(init=False)
    readiness_probes: dict[str, Probe] = field(default_factory=dict)
    # Optional parts that are off, and why: reported by /readyz, not counted against it.
    unavailable: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.settings.dns_nameservers, timeout=self.settings.dns_timeout)
        self.csrf_key = self.settings.web_secret or secrets.token_bytes(32)
