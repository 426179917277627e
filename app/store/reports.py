"""Reports of scams and the indicators they name, counted exactly under concurrency.

A report is recorded pending; app.store.moderation confirms or rejects it, and only a
confirmed report counts its indicators.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.engine.claim import Indicator, IndicatorKind
from app.engine.lookups import MAX_INDICATOR_CHARS
from app.store.errors import Conflict, NotFound, RateLimited
from app.store.lookup import VALUES, Lookup
from app.store.tables import CheckRecord, IndicatorCount, Report, ReportStatus, utcnow


@dataclass(frozen=True, slots=True)
class RecordedReport:
    report: Report
    counts: dict[Indicator, int]  # each indicator's count now (0: not counted yet)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `reports` anonymous reports per client in `window`."""

    reports: int
    window: dt.timedelta


async def _within_limit(session: AsyncSession, client: str, limit: RateLimit) -> None:
    """RateLimited, with the seconds to wait, when the client has made its allowance of
    reports already."""
    now = utcnow()
    recent = select(func.count(), func.min(Report.created_at)).where(
        Report.client == client, Report.created_at >= now - limit.window
    )
    made, oldest = (await session.execute(recent)).one()
    if made < limit.reports:
        return
    wait = (oldest + limit.window - now).total_seconds() if oldest else 1
    raise RateLimited(
        f"{made} reports from this address in the last {int(limit.window.total_seconds())} "
        "seconds: that is the limit without an API key. Try again later.",
        retry_after=max(1, math.ceil(wait)),
    )


async def count_one(session: AsyncSession, indicator: Indicator, step: int = 1) -> int:
    """Add `step` to an indicator's count in one atomic statement: concurrent reports never
    read-modify-write a stale count."""
    now = utcnow()
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = insert(IndicatorCount).values(
        kind=indicator.kind.value,
        value=indicator.value,
        report_count=step,
        first_reported_at=now,
        last_reported_at=now,
    )
    upsert = values.on_conflict_do_update(
        index_elements=[IndicatorCount.kind, IndicatorCount.value],
        set_={
            "report_count": IndicatorCount.report_count + step,
            "last_reported_at": values.excluded.last_reported_at,
        },
    ).returning(IndicatorCount.report_count)
    return int((await session.execute(upsert)).scalar_one())


async def current_counts(session: AsyncSession, found: Iterable[Indicator]) -> dict[Indicator, int]:
    wanted = list(found)
    if not wanted:
        return {}
    rows = await session.execute(
        select(IndicatorCount.kind, IndicatorCount.value, IndicatorCount.report_count).where(
            IndicatorCount.value.in_({i.value for i in wanted})
        )
    )
    counts = {Indicator(IndicatorKind(k), v): n for k, v, n in rows}
    return {i: counts.get(i, 0) for i in wanted}


async def record_report(
    session: AsyncSession,
    check_id: uuid.UUID,
    note: str | None,
    *,
    reporter: str | None = None,
    client: str = "",
    limit: RateLimit | None = None,
) -> Report:
    """Record, pending, that a checked message was a scam: NotFound for an unknown check,
    Conflict if it was reported, RateLimited past the limit (given for reports without a
    key)."""
    if limit is not None:
        await _within_limit(session, client, limit)
    check = await session.get(CheckRecord, check_id)
    if check is None:
        raise NotFound(f"No check {check_id} is on record (or it was purged).")
    report = Report(
        check_id=check_id,
        note=note,
        reporter=reporter,
        client=client,
        status=ReportStatus.PENDING,
        created_at=utcnow(),
        indicators=check.indicators,
        excerpt=check.excerpt,
        full_text=check.full_text,
        finding_codes=check.finding_codes,
        fingerprint=check.fingerprint,
    )
    session.add(report)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"The check {check_id} has already been reported.") from exc
    return report


def indicators_of(report: Report) -> list[Indicator]:
    return [Indicator(IndicatorKind(kind), value) for kind, value in sorted(report.indicators)]


# By value, with every kind spelt out: SQLite then searches the (kind, value) key once per
# pair. Asked as row values, `(kind, value) IN (VALUES …)`, it scanned the whole table: with
# 50,000 reported indicators, 8 ms a check on the event loop. A value may come back under a
# kind it was not asked with (the domain and the link "bit.ly"); reported_counts drops it.
COUNTS_BY_VALUE = select(
    IndicatorCount.kind, IndicatorCount.value, IndicatorCount.report_count
).where(
    IndicatorCount.kind.in_(
        bindparam("kinds", [kind.value for kind in IndicatorKind], literal_execute=True)
    ),
    IndicatorCount.value.in_(bindparam(VALUES, expanding=True)),
)


def reported_counts(lookup: Lookup, found: Iterable[Indicator]) -> dict[Indicator, int]:
    """Report counts of those of the given indicators that were ever reported (Database.read)."""
    wanted = {i for i in found if len(i.value) <= MAX_INDICATOR_CHARS}
    if not wanted:
        return {}
    rows = lookup(COUNTS_BY_VALUE, sorted({i.value for i in wanted}))
    counts = {Indicator(IndicatorKind(kind), value): count for kind, value, count in rows}
    return {indicator: count for indicator, count in counts.items() if indicator in wanted}


async def list_reports(
    session: AsyncSession,
    *,
    limit: int,
    offset: int = 0,
    status: ReportStatus | None = None,
) -> list[Report]:
    """Reports, newest first; with no status asked, pending ones before the others."""
    query = select(Report)
    if status is not None:
        query = query.where(Report.status == status.value)
        order: list[ColumnElement[Any]] = [Report.created_at.desc(), Report.id.desc()]
    else:
        pending_first = case((Report.status == ReportStatus.PENDING.value, 0), else_=1)
        order = [pending_first, Report.created_at.desc(), Report.id.desc()]
    return list(await session.scalars(query.order_by(*order).limit(limit).offset(offset)))


async def list_indicators(
    session: AsyncSession, *, limit: int, kind: IndicatorKind | None = None
) -> list[IndicatorCount]:
    query: Select[IndicatorCount] = select(IndicatorCount).order_by(
        IndicatorCount.report_count.desc(), IndicatorCount.kind, IndicatorCount.value
    )
    if kind is not None:
        query = query.where(IndicatorCount.kind == kind.value)
    return list(await session.scalars(query.limit(limit)))
