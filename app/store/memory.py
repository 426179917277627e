"""What a check asks of the database, and what it leaves there; never fatal to the check.

The engine is pure, so the pipeline fetches the registry entries and report counts before
it runs and writes the audit record after. If the database is down the verdict is still
given, on what the notices alone say, and the response tells that nothing was stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field

from app import fingerprint as fp
from app.engine.assess import Assessment
from app.engine.claim import Claim, Indicator, RegisteredTicket, ReportedText
from app.services import Services
from app.store.audit import CheckRow, check_record, record_check
from app.store.database import is_unavailable, outages
from app.store.lookup import Lookup
from app.store.reports import reported_counts
from app.store.tables import CheckRecord
from app.store.tickets import registered


@dataclass(frozen=True, slots=True)
class Memory:
    # None: the registry could not be consulted (so no code is called unregistered).
    registry: Mapping[str, RegisteredTicket] | None = None
    reported: Mapping[Indicator, int] = field(default_factory=dict)
    reported_text: ReportedText | None = None


async def recall(
    services: Services,
    codes: Set[str],
    wanted: Sequence[Indicator],
    signature: fp.Signature | None = None,
) -> Memory:
    """Registry entries for the claim's ticket codes, counts for its reportable indicators
    (app.store.reports.reportable: official ones are never counted), and the confirmed
    reports its text resembles (in memory, app.store.campaignindex: also during an outage)."""
    index, text = services.campaign_index, None
    if index is not None and signature is not None:
        text = index.reported_text(signature)
    database = services.database
    if database is None:
        return Memory(reported_text=text)
    if not codes and not wanted:
        return Memory(registry={}, reported_text=text)

    def both(lookup: Lookup) -> Memory:
        registry = registered(lookup, codes) if codes else {}
        counts = reported_counts(lookup, wanted) if wanted else {}
        return Memory(registry, counts, text)

    try:
        return await database.read(both)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        outages.warning("recall", "checks go without registry and reports: %s", exc)
        return Memory(reported_text=text)


async def remember(
    services: Services,
    check_id: uuid.UUID,
    claim: Claim,
    assessment: Assessment,
    wanted: Sequence[Indicator],
    signature: fp.Signature | None = None,
) -> bool:
    """Write the audit record of a check, with its reportable indicators; whether it was
    written."""
    settings, database = services.settings, services.database
    if not settings.audit_enabled or database is None:
        return False

    def record() -> CheckRow:
        return check_record(
            check_id,
            claim,
            assessment,
            wanted,
            reference=services.reference,
            keep_text=settings.audit_keep_text,
            fingerprint=fp.to_bytes(signature) if signature is not None else None,
        )

    if database.group_commit is not None:
        return await database.group_commit.insert(CheckRecord, record)
    try:
        async with database.session() as session:
            await record_check(session, record())
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        outages.warning("remember", "checks answered but not recorded (stored=false): %s", exc)
        return False
    return True
