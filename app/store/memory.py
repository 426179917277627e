"""What a check asks of the database, and what it leaves there; never fatal to the check.

The engine is pure, so the pipeline fetches the registry entries and report counts before
it runs and writes the audit record after. If the database is down the verdict is still
given, on what the notices alone say, and the response tells that nothing was stored.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from app.assess import Assessment
from app.claim import Claim, Indicator, RegisteredTicket
from app.db import Database, is_unavailable
from app.services import Services
from app.store.audit import check_record, record_check
from app.store.reports import reported_counts
from app.store.tickets import registered

log = logging.getLogger("thatgia.store")


@dataclass(frozen=True, slots=True)
class Memory:
    # None: the registry could not be consulted (so no code is called unregistered).
    registry: Mapping[str, RegisteredTicket] | None = None
    reported: Mapping[Indicator, int] = field(default_factory=dict)


async def recall(database: Database | None, codes: Set[str], found: Set[Indicator]) -> Memory:
    """Registry entries for the claim's ticket codes and counts for its indicators."""
    if database is None:
        return Memory()
    if not codes and not found:
        return Memory(registry={})
    try:
        async with database.session() as session:
            registry = await registered(session, codes) if codes else {}
            reported = await reported_counts(session, found) if found else {}
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("check without registry and reports, database unavailable: %s", exc)
        return Memory()
    return Memory(registry, reported)


async def remember(
    services: Services,
    check_id: uuid.UUID,
    claim: Claim,
    assessment: Assessment,
    found: Set[Indicator],
) -> bool:
    """Write the audit record of a check; whether it was written."""
    settings, database = services.settings, services.database
    if not settings.audit_enabled or database is None:
        return False
    record = check_record(
        check_id,
        claim,
        assessment,
        found,
        reference=services.reference,
        keep_text=settings.audit_keep_text,
    )
    try:
        async with database.session() as session:
            await record_check(session, record)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        log.warning("check %s answered but not recorded, database unavailable: %s", check_id, exc)
        return False
    return True
