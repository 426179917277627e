"""Deciding reports: an admin confirms or rejects one, or enough clients agree.

Only a confirmed report counts its indicators (never an official one, whatever the
reference says now) and files its text under a campaign. Rejecting a confirmed report
takes back exactly what its confirmation made. Each change of status is one conditional
UPDATE, so two admins, or an admin and the consensus, never count a report twice.

Every decision first bumps the campaign revision (app.store.campaigns), whose row it then
holds until it commits: decisions run one at a time, as they did on SQLite already, so the
revisions are committed in order and a process that has seen revision N has seen every
change before it (app.store.campaignindex). Taken before any other row, that lock cannot
close a circle of waits with the report, count and campaign rows a decision takes next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app import fingerprint as fp
from app.engine.lookups import reportable
from app.engine.reference.models import Reference
from app.store.campaigns import bump_revision, join_campaign, leave_campaign
from app.store.errors import NotFound
from app.store.reports import count_one, indicators_of
from app.store.tables import IndicatorCount, Report, ReportIndicator, ReportStatus, utcnow

# The consensus looks back this far, at this many reports at most: bounded work per report.
CONSENSUS_WINDOW = dt.timedelta(days=30)
CONSENSUS_SCAN = 1000


async def _move(
    session: AsyncSession, report_id: int, to: ReportStatus, by: str
) -> tuple[Report, ReportStatus | None]:
    """Set a report's status; returns it and the status it left (None: it had it already)."""
    await bump_revision(session)  # first: see the module's docstring
    report = await session.get(Report, report_id, with_for_update=True, populate_existing=True)
    if report is None:
        raise NotFound(f"No report {report_id}.")
    before = ReportStatus(report.status)
    if before == to:
        return report, None
    changed = await session.execute(
        update(Report)
        .where(Report.id == report_id, Report.status == before.value)
        .values(status=to.value, decided_at=utcnow(), decided_by=by)
        .returning(Report.id)
    )
    if changed.scalar_one_or_none() is None:  # decided meanwhile by another transaction
        await session.refresh(report)
        return report, None
    await session.refresh(report)
    return report, before


async def _count(session: AsyncSession, report: Report, reference: Reference) -> None:
    counted = reportable(indicators_of(report), reference)
    for indicator in counted:
        await count_one(session, indicator)
    if counted:
        rows = [{"report_id": report.id, "kind": i.kind.value, "value": i.value} for i in counted]
        await session.execute(insert(ReportIndicator), rows)
    await join_campaign(session, report)


async def _uncount(session: AsyncSession, report: Report) -> None:
    listed = await session.execute(
        select(ReportIndicator.kind, ReportIndicator.value).where(
            ReportIndicator.report_id == report.id
        )
    )
    for kind, value in sorted(listed.all()):
        await session.execute(
            update(IndicatorCount)
            .where(IndicatorCount.kind == kind, IndicatorCount.value == value)
            .values(report_count=IndicatorCount.report_count - 1)
        )
    await session.execute(delete(ReportIndicator).where(ReportIndicator.report_id == report.id))
    await session.execute(delete(IndicatorCount).where(IndicatorCount.report_count <= 0))
    await leave_campaign(session, report)


async def confirm(session: AsyncSession, report_id: int, by: str, reference: Reference) -> Report:
    """Confirm a report (no change if it is): its indicators count, its text is filed."""
    report, before = await _move(session, report_id, ReportStatus.CONFIRMED, by)
    if before is not None:
        await _count(session, report, reference)
    return report


async def reject(session: AsyncSession, report_id: int, by: str) -> Report:
    """Reject a report; if it was confirmed, what its confirmation made is taken back."""
    report, before = await _move(session, report_id, ReportStatus.REJECTED, by)
    if before == ReportStatus.CONFIRMED:
        await _uncount(session, report)
    return report


@dataclass(frozen=True, slots=True)
class Consensus:
    """Reports from this many different clients naming one text or indicator confirm it."""

    clients: int


def _agreeing(report: Report, others: list[Report]) -> list[list[Report]]:
    """The groups of reports that name the same indicator, or a like text, as `report`."""
    groups = []
    for kind, value in report.indicators:
        groups.append([r for r in others if [kind, value] in r.indicators])
    mine = fp.from_bytes(report.fingerprint) if report.fingerprint else None
    if mine is not None:
        alike = []
        for other in others:
            theirs = fp.from_bytes(other.fingerprint) if other.fingerprint else None
            if theirs is not None and fp.similarity(mine, theirs) >= fp.SAME_CAMPAIGN:
                alike.append(other)
        groups.append(alike)
    return groups


async def confirm_by_consensus(
    session: AsyncSession, report: Report, consensus: Consensus, reference: Reference
) -> list[int]:
    """Confirm the pending reports that enough clients agree on; their ids."""
    if consensus.clients <= 0:
        return []
    recent = select(Report).where(
        Report.id != report.id,
        Report.status != ReportStatus.REJECTED.value,
        Report.created_at >= utcnow() - CONSENSUS_WINDOW,
    )
    others = list(
        await session.scalars(recent.order_by(Report.created_at.desc()).limit(CONSENSUS_SCAN))
    )
    agreed: dict[int, Report] = {}
    for group in _agreeing(report, others):
        clients = {report.client} | {r.client for r in group}
        if len(clients) >= consensus.clients:
            agreed.update({r.id: r for r in [report, *group]})
    confirmed = []
    for candidate in sorted(agreed.values(), key=lambda r: r.id):
        if candidate.status == ReportStatus.PENDING.value:
            await confirm(session, candidate.id, "consensus", reference)
            confirmed.append(candidate.id)
    return confirmed
