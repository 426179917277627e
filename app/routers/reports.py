"""Reports of scams, and the indicators (phones, addresses, domains, URLs) they name.

Anyone may report a check, without a key: the staff web form posts here for people who
have none. What keeps that from being abused is that a report names a check by its id,
which only whoever ran the check was given, and each check can be reported once; so
every count needs its own check of a message actually containing the indicator, and
official identifiers are never counted at all. A key, when sent, must be valid; its
name is kept as the reporter.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field, StringConstraints

from app.auth import AUTH_RESPONSES, OPTIONAL_KEY_OPENAPI, AdminKey, OptionalCaller
from app.claim import IndicatorKind
from app.db import SessionDep, WriteSessionDep
from app.deps import JsonBody
from app.jsonroute import JsonRoute
from app.models import IndicatorCount, Report
from app.schemas import SQL_INT_MAX, Schema
from app.store.reports import list_indicators, list_reports, record_report

router = APIRouter(prefix="/v1", tags=["reports"], route_class=JsonRoute)

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class ReportIn(Schema):
    check_id: uuid.UUID = Field(description="The `id` of the check of the scam message.")
    note: Note | None = Field(None, description="What happened, in the reporter's words.")


class IndicatorRef(Schema):
    kind: IndicatorKind
    value: str


class IndicatorTally(IndicatorRef):
    report_count: int


class IndicatorOut(IndicatorTally):
    first_reported_at: dt.datetime
    last_reported_at: dt.datetime

    @classmethod
    def of(cls, row: IndicatorCount) -> IndicatorOut:
        return cls(
            kind=IndicatorKind(row.kind),
            value=row.value,
            report_count=row.report_count,
            first_reported_at=row.first_reported_at,
            last_reported_at=row.last_reported_at,
        )


class ReportOut(Schema):
    id: int
    check_id: uuid.UUID | None = Field(description="None once the check's record was purged.")
    note: str | None
    reporter: str | None
    created_at: dt.datetime
    indicators: list[IndicatorRef]

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls(
            id=report.id,
            check_id=report.check_id,
            note=report.note,
            reporter=report.reporter,
            created_at=report.created_at,
            indicators=[IndicatorRef(kind=IndicatorKind(k), value=v) for k, v in report.indicators],
        )


class ReportCreated(ReportOut):
    report_counts: list[IndicatorTally] = Field(description="Each indicator's count now.")


@router.post(
    "/reports",
    status_code=201,
    dependencies=[JsonBody],
    openapi_extra=OPTIONAL_KEY_OPENAPI,
    responses={
        401: {"description": "An Authorization header was sent but is no valid API key"},
        404: {"description": "No such check on record"},
        409: {"description": "The check was already reported"},
        415: {"description": "Body is not JSON"},
        422: {"description": "Invalid body"},
        503: {"description": "The database is unreachable (Retry-After)"},
    },
)
async def create_report(
    body: ReportIn, caller: OptionalCaller, session: WriteSessionDep
) -> ReportCreated:
    """Report a checked message as a scam (no key needed); its identifiers get counted."""
    reporter = caller.name if caller else None
    recorded = await record_report(session, body.check_id, body.note, reporter=reporter)
    counts = [
        IndicatorTally(kind=i.kind, value=i.value, report_count=n)
        for i, n in recorded.counts.items()
    ]
    return ReportCreated(**ReportOut.of(recorded.report).model_dump(), report_counts=counts)


@router.get("/reports", responses=AUTH_RESPONSES)
async def read_reports(
    caller: AdminKey,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=SQL_INT_MAX)] = 0,
) -> list[ReportOut]:
    """Reports, newest first."""
    return [ReportOut.of(r) for r in await list_reports(session, limit=limit, offset=offset)]


@router.get("/indicators", responses=AUTH_RESPONSES)
async def read_indicators(
    caller: AdminKey,
    session: SessionDep,
    kind: IndicatorKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[IndicatorOut]:
    """Reported indicators, most reported first."""
    rows = await list_indicators(session, limit=limit, kind=kind)
    return [IndicatorOut.of(row) for row in rows]
