"""Recording "this was a scam" for a check, through the persistence layer's reports store."""

from __future__ import annotations

import uuid
from enum import StrEnum

from app.services import Services


class ReportOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_REPORTED = "already_reported"
    UNKNOWN_CHECK = "unknown_check"
    UNAVAILABLE = "unavailable"


async def record_scam_report(
    services: Services, check_id: uuid.UUID, note: str | None
) -> ReportOutcome:
    """Store a scam report tied to a check; say plainly when it could not be stored."""
    # The reports store is not part of the service yet: until it is, nothing can be kept,
    # and the page says so instead of pretending.
    return ReportOutcome.UNAVAILABLE
