"""Recording "this was a scam" for a check, through the persistence layer's reports store."""

from __future__ import annotations

import logging
import uuid
from enum import StrEnum

from app.reportflow import submit_report
from app.services import Services
from app.store.database import is_unavailable
from app.store.errors import Conflict, NotFound, RateLimited

log = logging.getLogger("thatgia.web")


class ReportOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_REPORTED = "already_reported"
    UNKNOWN_CHECK = "unknown_check"
    UNAVAILABLE = "unavailable"
    TOO_MANY = "too_many"


async def record_scam_report(
    services: Services, check_id: uuid.UUID, note: str | None, client: str
) -> ReportOutcome:
    """Store a scam report tied to a check; say plainly when it could not be stored."""
    database = services.database
    if database is None:
        return ReportOutcome.UNAVAILABLE
    try:
        async with database.write_session() as session:
            await submit_report(session, services, check_id, note, client=client)
    except RateLimited as exc:
        log.info("scam report for check %s refused: %s", check_id, exc.detail)
        return ReportOutcome.TOO_MANY
    except NotFound:
        return ReportOutcome.UNKNOWN_CHECK
    except Conflict:
        # A second press of the button, or a reload: the report the user wanted exists.
        return ReportOutcome.ALREADY_REPORTED
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning(
            "scam report for check %s not recorded, database unavailable: %s", check_id, exc
        )
        return ReportOutcome.UNAVAILABLE
    return ReportOutcome.RECORDED
