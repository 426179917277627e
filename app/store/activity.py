"""What the admin console shows: checks and reports per day, indicators with their reports,
campaigns with what their reports share."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.campaigns import campaign_members, list_campaigns
from app.store.tables import CheckRecord, IndicatorCount, Report, ReportIndicator, utcnow


@dataclass(frozen=True, slots=True)
class DayCounts:
    day: dt.date
    counts: dict[str, int]  # by verdict, or by report status

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _days(rows: list[tuple[object, str, int]], days: int) -> list[DayCounts]:
    today = utcnow().date()
    by_day: dict[dt.date, dict[str, int]] = {
        today - dt.timedelta(days=n): {} for n in range(days - 1, -1, -1)
    }
    for day, label, count in rows:
        found = by_day.get(_as_date(day))
        if found is not None:
            found[label] = found.get(label, 0) + int(count)
    return [DayCounts(day, counts) for day, counts in by_day.items()]


async def checks_per_day(session: AsyncSession, days: int) -> list[DayCounts]:
    """Checks of the last `days` days (UTC), by verdict."""
    since = utcnow() - dt.timedelta(days=days)
    day = func.date(CheckRecord.created_at)
    query = (
        select(day, CheckRecord.verdict, func.count())
        .where(CheckRecord.created_at >= since)
        .group_by(day, CheckRecord.verdict)
    )
    return _days([tuple(row) for row in await session.execute(query)], days)


async def reports_per_day(session: AsyncSession, days: int) -> list[DayCounts]:
    """Reports of the last `days` days (UTC), by status."""
    since = utcnow() - dt.timedelta(days=days)
    day = func.date(Report.created_at)
    query = (
        select(day, Report.status, func.count())
        .where(Report.created_at >= since)
        .group_by(day, Report.status)
    )
    return _days([tuple(row) for row in await session.execute(query)], days)


async def reports_behind(
    session: AsyncSession, indicators: list[IndicatorCount], per_indicator: int
) -> dict[tuple[str, str], list[int]]:
    """The ids of the confirmed reports behind each indicator (the newest first)."""
    if not indicators:
        return {}
    values = {i.value for i in indicators}
    rows = await session.execute(
        select(ReportIndicator.kind, ReportIndicator.value, ReportIndicator.report_id)
        .where(ReportIndicator.value.in_(values))
        .order_by(ReportIndicator.report_id.desc())
    )
    behind: dict[tuple[str, str], list[int]] = {}
    for kind, value, report_id in rows:
        listed = behind.setdefault((kind, value), [])
        if len(listed) < per_indicator:
            listed.append(report_id)
    return behind


async def remove_indicator(session: AsyncSession, kind: str, value: str) -> bool:
    """Stop flagging an indicator: its count goes, and with it the links to its reports
    (a later confirmed report naming it counts it again)."""
    await session.execute(
        delete(ReportIndicator).where(ReportIndicator.kind == kind, ReportIndicator.value == value)
    )
    removed = await session.execute(
        delete(IndicatorCount).where(IndicatorCount.kind == kind, IndicatorCount.value == value)
    )
    await session.commit()
    return bool(getattr(removed, "rowcount", 0))


@dataclass(frozen=True, slots=True)
class CampaignView:
    id: int
    size: int
    first_reported_at: dt.datetime
    last_reported_at: dt.datetime
    sample: str
    shared: list[tuple[str, str]]  # indicators named by at least two of its reports


async def campaigns(session: AsyncSession, limit: int, members: int = 50) -> list[CampaignView]:
    """The latest campaigns, each with a sample text and the indicators its reports share."""
    found = []
    for campaign in await list_campaigns(session, limit=limit):
        reports = await campaign_members(session, campaign.id, members)
        named = Counter(tuple(pair) for r in reports for pair in {tuple(p) for p in r.indicators})
        least = 2 if len(reports) > 1 else 1
        shared = sorted((k, v) for (k, v), n in named.items() if n >= least)
        found.append(
            CampaignView(
                campaign.id,
                campaign.report_count,
                campaign.first_reported_at,
                campaign.last_reported_at,
                reports[0].excerpt if reports else "",
                shared,
            )
        )
    return found
