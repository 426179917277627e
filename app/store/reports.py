"""Reports of scams and the indicators they name, counted exactly under concurrency."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.claim import Indicator, IndicatorKind
from app.errors import Conflict, NotFound
from app.extract import is_official
from app.models import CheckRecord, IndicatorCount, Report, utcnow
from app.reference.models import Reference
from app.store.lookup import VALUES, Lookup

MAX_VALUE_CHARS = 512  # the indexed column; a longer URL is still covered by its domain


def reportable(found: Iterable[Indicator], reference: Reference) -> list[Indicator]:
    """The indicators a report may count, sorted (a fixed lock order for the upserts)."""
    return sorted(
        {i for i in found if len(i.value) <= MAX_VALUE_CHARS and not is_official(i, reference)},
        key=lambda i: (i.kind.value, i.value),
    )


@dataclass(frozen=True, slots=True)
class RecordedReport:
    report: Report
    counts: dict[Indicator, int]  # each indicator's count after this report


async def _count_one(session: AsyncSession, indicator: Indicator) -> int:
    # One atomic statement: concurrent reports never read-modify-write a stale count.
    now = utcnow()
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = insert(IndicatorCount).values(
        kind=indicator.kind.value,
        value=indicator.value,
        report_count=1,
        first_reported_at=now,
        last_reported_at=now,
    )
    upsert = values.on_conflict_do_update(
        index_elements=[IndicatorCount.kind, IndicatorCount.value],
        set_={
            "report_count": IndicatorCount.report_count + 1,
            "last_reported_at": values.excluded.last_reported_at,
        },
    ).returning(IndicatorCount.report_count)
    return int((await session.execute(upsert)).scalar_one())


async def record_report(
    session: AsyncSession, check_id: uuid.UUID, note: str | None, *, reporter: str | None = None
) -> RecordedReport:
    """Record that a checked message was a scam; 404 for an unknown check, 409 if reported."""
    check = await session.get(CheckRecord, check_id)
    if check is None:
        raise NotFound(f"No check {check_id} is on record (or it was purged).")
    report = Report(check_id=check_id, note=note, reporter=reporter, indicators=check.indicators)
    session.add(report)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"The check {check_id} has already been reported.") from exc
    counts = {}
    for kind, value in sorted(check.indicators):
        indicator = Indicator(IndicatorKind(kind), value)
        counts[indicator] = await _count_one(session, indicator)
    await session.commit()
    return RecordedReport(report, counts)


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
    wanted = {i for i in found if len(i.value) <= MAX_VALUE_CHARS}
    if not wanted:
        return {}
    rows = lookup(COUNTS_BY_VALUE, sorted({i.value for i in wanted}))
    counts = {Indicator(IndicatorKind(kind), value): count for kind, value, count in rows}
    return {indicator: count for indicator, count in counts.items() if indicator in wanted}


async def list_reports(session: AsyncSession, *, limit: int, offset: int = 0) -> list[Report]:
    query = select(Report).order_by(Report.created_at.desc(), Report.id.desc())
    return list(await session.scalars(query.limit(limit).offset(offset)))


async def list_indicators(
    session: AsyncSession, *, limit: int, kind: IndicatorKind | None = None
) -> list[IndicatorCount]:
    query: Select[IndicatorCount] = select(IndicatorCount).order_by(
        IndicatorCount.report_count.desc(), IndicatorCount.kind, IndicatorCount.value
    )
    if kind is not None:
        query = query.where(IndicatorCount.kind == kind.value)
    return list(await session.scalars(query.limit(limit)))
