"""`thatgia corpus export`: confirmed reports as labelled messages of the detection corpus.

Each line follows the authors' format (tests/corpus/BRIEF.md): id, label "scam", genre,
style, author, claim, codes, asks, note. Nobody marked which sentences ask for what, so
`codes` and `asks` are the rules' findings, as for the in-house corpus; the training
command reads the file that way (`python -m app.engine.learned.train … --reports FILE`), always
training on it and never leaving it out as an author. One report per campaign (its first):
a campaign reported a hundred times is still one message to learn from. The text is the
one the audit log kept: the whole message with THATGIA_AUDIT_KEEP_TEXT=true, else its
excerpt, secrets masked and cut at 500 characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.engine.assess import assess
from app.engine.claim import Context
from app.engine.learned.corpus import claim_of
from app.engine.learned.layer import judged
from app.engine.reference.models import Reference
from app.store.tables import Report, ReportStatus

AUTHOR = "reports"
GENRE = "reported"


def labelled(report: Report, reference: Reference) -> dict[str, Any]:
    """One confirmed report as a corpus line."""
    text = report.full_text or report.excerpt
    claim: dict[str, Any] = {"message": text, "received_at": report.created_at.isoformat()}
    assessed = assess(claim_of(claim), Context(reference=reference))  # the rules alone
    asking = [f for f in assessed.findings if judged(f)]
    note = f"confirmed report {report.id}" + (f": {report.note}" if report.note else "")
    return {
        "id": f"report-{report.id}",
        "label": "scam",
        "genre": GENRE,
        "style": "reported",
        "author": AUTHOR,
        "claim": claim,
        "codes": list(dict.fromkeys(f.code for f in asking)),
        "asks": list(dict.fromkeys(f.evidence for f in asking)),
        "note": note[:300],
    }


async def confirmed_reports(session: AsyncSession, per_campaign: bool = True) -> list[Report]:
    """Confirmed reports with a text, oldest first; by default the first of each campaign."""
    query = select(Report).where(
        Report.status == ReportStatus.CONFIRMED.value, Report.excerpt != ""
    )
    reports = list(await session.scalars(query.order_by(Report.created_at, Report.id)))
    if not per_campaign:
        return reports
    seen: set[int] = set()
    kept = []
    for report in reports:
        if report.campaign_id is not None:
            if report.campaign_id in seen:
                continue
            seen.add(report.campaign_id)
        kept.append(report)
    return kept


def lines(reports: list[Report], reference: Reference) -> Iterator[str]:
    for report in reports:
        yield json.dumps(labelled(report, reference), ensure_ascii=False)
