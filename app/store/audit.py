"""The audit log: one record per check, with secrets masked out of what is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.engine.assess import Assessment
from app.engine.claim import Claim, Indicator
from app.engine.extract import listed_indicators
from app.engine.redact import excerpt
from app.engine.reference.models import Reference
from app.store.tables import CheckRecord, Report, utcnow


def input_digest(claim: Claim) -> str:
    """SHA-256 of the claim as given: canonical JSON of its fields, UTF-8.

    Anyone holding the same input can recompute it to find the record, and the digest
    reveals nothing of a message that was not kept.
    """
    fields = {
        "message": claim.message,
        "sender": claim.sender,
        "phone": claim.phone,
        "extension": claim.extension,
        "ticket_code": claim.ticket_code,
        "channel": claim.channel.value if claim.channel else None,
        "unit_code": claim.unit_code,
        "received_at": claim.received_at.isoformat() if claim.received_at else None,
    }
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


CheckRow = dict[str, Any]  # column values of a CheckRecord


def check_record(
    check_id: uuid.UUID,
    claim: Claim,
    assessment: Assessment,
    reportable: Iterable[Indicator],
    *,
    reference: Reference,
    keep_text: bool,
    fingerprint: bytes | None = None,
) -> CheckRow:
    """The audit record of a check, as the column values the group commit inserts (an ORM
    object would cost a tenth of a millisecond per check to build and take apart again).
    `reportable` are the claim's indicators that a report may count
    (app.store.reports.reportable), in their order; those the answer listed are kept."""
    return {
        "id": check_id,
        "created_at": utcnow(),
        "channel": claim.channel.value if claim.channel else None,
        "verdict": assessment.verdict.value,
        "finding_codes": list(dict.fromkeys(f.code for f in assessment.findings)),
        "input_sha256": input_digest(claim),
        "excerpt": excerpt(
            claim.message,
            reference,
            folded=assessment.extracted.folded,
            tickets=assessment.extracted.ticket_spans,
        ),
        "full_text": claim.message if keep_text else None,
        "indicators": [
            [i.kind.value, i.value]
            for i in listed_indicators(claim, assessment.extracted, reportable)
        ],
        "fingerprint": fingerprint,
    }


async def record_check(session: AsyncSession, record: CheckRow) -> None:
    await session.execute(insert(CheckRecord), [record])
    await session.commit()


async def get_check(session: AsyncSession, check_id: uuid.UUID) -> CheckRecord | None:
    return await session.get(CheckRecord, check_id)


async def purge_checks(session: AsyncSession, older_than: dt.timedelta) -> int:
    """Delete audit records older than the given age; reports keep their counts."""
    cutoff = utcnow() - older_than
    old = select(CheckRecord.id).where(CheckRecord.created_at < cutoff)
    # Explicit rather than left to ON DELETE SET NULL, which SQLite honours only when
    # foreign keys are switched on for the connection.
    await session.execute(update(Report).where(Report.check_id.in_(old)).values(check_id=None))
    result = await session.execute(delete(CheckRecord).where(CheckRecord.created_at < cutoff))
    await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
