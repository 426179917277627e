"""What the adapters share at run time, built once per application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.config import Settings
from app.engine.claim import TextLayer
from app.engine.reference.models import Reference
from app.ocr.service import Ocr
from app.store.database import Database


@dataclass
class Services:
    settings: Settings
    reference: Reference
    # Opened by app.store.database.database_lifecycle; None outside the application's lifespan.
    database: Database | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    # The learned layer the engine runs beside the text rules; None: the rules alone.
    text_layer: TextLayer | None = None
    # Reading images: the pool, or why there is none (Tesseract missing).
    ocr: Ocr | None = None
