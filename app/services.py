"""What the adapters share at run time, built once per application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.config import Settings
from app.engine.claim import TextLayer
from app.engine.reference.models import Reference
from app.ocr.service import Ocr
from app.store.campaignindex import CampaignIndex
from app.store.database import Database


@dataclass
class Services:
    settings: Settings
    reference: Reference
    # Opened by app.store.lifecycle.database_lifecycle; None outside the application's lifespan.
    database: Database | None = None
    # Loaded and kept up by app.store.lifecycle.campaign_index_lifecycle, None outside it.
    campaign_index: CampaignIndex | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    # The learned layer the engine runs beside the text rules; None: the rules alone.
    text_layer: TextLayer | None = None
    # Reading images: the pool, or why there is none (Tesseract missing).
    ocr: Ocr | None = None
