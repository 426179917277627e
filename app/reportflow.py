"""Sending a scam report, the same from the API and the web form: limit, record, consensus."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.services import Services
from app.store.moderation import Consensus, confirm_by_consensus
from app.store.reports import RateLimit, RecordedReport, current_counts, indicators_of
from app.store.reports import record_report as store_report


def rate_limit(services: Services) -> RateLimit:
    settings = services.settings
    window = dt.timedelta(seconds=settings.report_rate_window_seconds)
    return RateLimit(settings.report_rate_limit, window)


async def submit_report(
    session: AsyncSession,
    services: Services,
    check_id: uuid.UUID,
    note: str | None,
    *,
    client: str,
    reporter: str | None = None,
) -> RecordedReport:
    """Record a report (rate-limited without a key), confirm what enough clients agree on,
    commit; the report and its indicators' counts now."""
    limited = None if reporter is not None else rate_limit(services)
    report = await store_report(
        session, check_id, note, reporter=reporter, client=client, limit=limited
    )
    consensus = Consensus(services.settings.report_auto_confirm_clients)
    confirmed = await confirm_by_consensus(session, report, consensus, services.reference)
    await session.commit()
    if confirmed:
        await decided(services)
    await session.refresh(report)
    counts = await current_counts(session, indicators_of(report))
    return RecordedReport(report, counts)


async def decided(services: Services) -> None:
    """After a decision on reports is committed: this process's checks see the campaigns
    it changed from now on (other processes', within their refresh interval)."""
    if services.campaign_index is not None:
        await services.campaign_index.refresh()
