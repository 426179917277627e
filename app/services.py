"""What the adapters share at run time, built once per application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.claim import TextLayer
from app.config import Settings
from app.db import Database
from app.ocr.service import Ocr
from app.reference.models import Reference


@dataclass
class Services:
    settings: Settings
    reference: Reference
    # Opened by app.db.database_lifecycle; None outside the application's lifespan.
    database: Database | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    # The learned layer the engine runs beside the text rules; None: the rules alone.
    text_layer: TextLayer | None = None
    # Reading images: the pool, or why there is none (Tesseract missing).
    ocr: Ocr | None = None
