"""What the adapters share at run time, built once per application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.config import Settings
from app.reference.models import Reference


@dataclass
class Services:
    settings: Settings
    reference: Reference
    # Set by the persistence layer's lifecycle when a database is configured.
    database: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
