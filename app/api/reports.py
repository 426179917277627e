"""Reports of scams, and the indicators (phones, addresses, domains, URLs) they name.

Anyone may report a check, without a key: the staff web form posts here for people who
have none. What keeps that from being abused: a report names a check by its id, which
only whoever ran the check was given, and each check can be reported once; reports
without a key are limited per client address; and a report counts for nothing until an
admin confirms it, or reports from several different clients name the same text or
indicator. Official identifiers are never counted at all. A key, when sent, must be
valid; its name is kept as the reporter.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import Field, StringConstraints

from app.api.schemas import ROW_ID_MAX, SQL_INT_MAX, Schema
from app.engine.claim import IndicatorKind
from app.http.auth import AUTH_RESPONSES, OPTIONAL_KEY_OPENAPI, AdminKey, OptionalCaller
from app.http.clientaddr import client_address
from app.http.deps import JsonBody, ServicesDep, SessionDep, WriteSessionDep
from app.http.jsonroute import JsonRoute
from app.reportflow import decided, submit_report
from app.services import Services
from app.store.moderation import confirm, reject
from app.store.reports import current_counts, indicators_of, list_indicators, list_reports
from app.store.tables import IndicatorCount, Report, ReportStatus

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
    status: ReportStatus = Field(
        description="`pending` until an admin decides, or enough clients report the same; "
        "only `confirmed` reports count."
    )
    note: str | None
    reporter: str | None
    client: str = Field(description="`key:<key id>` or `ip:<address>` of the sender.")
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: str | None = Field(description="The admin key's name, or `consensus`.")
    excerpt: str = Field(description="The reported message, secrets masked (audit excerpt).")
    finding_codes: list[str]
    campaign_id: int | None
    indicators: list[IndicatorRef]

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls(
            id=report.id,
            check_id=report.check_id,
            status=ReportStatus(report.status),
            note=report.note,
            reporter=report.reporter,
            client=report.client,
            created_at=report.created_at,
            decided_at=report.decided_at,
            decided_by=report.decided_by,
            excerpt=report.excerpt,
            finding_codes=list(report.finding_codes),
            campaign_id=report.campaign_id,
            indicators=[IndicatorRef(kind=IndicatorKind(k), value=v) for k, v in report.indicators],
        )


class ReportCreated(ReportOut):
    report_counts: list[IndicatorTally] = Field(
        description="Each indicator's count of confirmed reports now (0 while pending)."
    )


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
        429: {"description": "Too many reports from this address without a key (Retry-After)"},
        503: {"description": "The database is unreachable (Retry-After)"},
    },
)
async def create_report(
    body: ReportIn,
    request: Request,
    caller: OptionalCaller,
    services: ServicesDep,
    session: WriteSessionDep,
) -> ReportCreated:
    """Report a checked message as a scam (no key needed); pending until confirmed."""
    reporter = caller.name if caller else None
    if caller is not None:
        client = f"key:{caller.key_id}"
    else:
        client = client_address(request, services.settings)
    recorded = await submit_report(
        session, services, body.check_id, body.note, client=client, reporter=reporter
    )
    counts = [
        IndicatorTally(kind=i.kind, value=i.value, report_count=n)
        for i, n in recorded.counts.items()
    ]
    return ReportCreated(**ReportOut.of(recorded.report).model_dump(), report_counts=counts)


@router.get("/reports", responses=AUTH_RESPONSES)
async def read_reports(
    caller: AdminKey,
    session: SessionDep,
    status: ReportStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=SQL_INT_MAX)] = 0,
) -> list[ReportOut]:
    """Reports, newest first; without `status`, pending ones first."""
    found = await list_reports(session, limit=limit, offset=offset, status=status)
    return [ReportOut.of(r) for r in found]


# Report ids are INTEGER columns: a larger number is no report, and PostgreSQL refuses it.
ReportId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
DECISION_RESPONSES: dict[int | str, dict[str, str]] = {
    **AUTH_RESPONSES,
    404: {"description": "No such report"},
}


async def _decided(session: WriteSessionDep, services: Services, report: Report) -> ReportCreated:
    await session.commit()
    await decided(services)
    await session.refresh(report)
    counts = await current_counts(session, indicators_of(report))
    tallies = [
        IndicatorTally(kind=i.kind, value=i.value, report_count=n) for i, n in counts.items()
    ]
    return ReportCreated(**ReportOut.of(report).model_dump(), report_counts=tallies)


@router.post("/reports/{report_id}/confirm", responses=DECISION_RESPONSES)
async def confirm_report(
    report_id: ReportId, caller: AdminKey, services: ServicesDep, session: WriteSessionDep
) -> ReportCreated:
    """Confirm a report: its indicators are counted and its text fingerprinted."""
    report = await confirm(session, report_id, caller.name, services.reference)
    return await _decided(session, services, report)


@router.post("/reports/{report_id}/reject", responses=DECISION_RESPONSES)
async def reject_report(
    report_id: ReportId, caller: AdminKey, services: ServicesDep, session: WriteSessionDep
) -> ReportCreated:
    """Reject a report; if it was confirmed, its counts and fingerprint are taken back."""
    report = await reject(session, report_id, caller.name)
    return await _decided(session, services, report)


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
