"""The ticket registry: support staff register the tickets they issue; checks consult it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import Field

from app.api.schemas import AwareDatetime, Schema, TicketCode, UnitCode
from app.engine.reference.models import Reference
from app.engine.validators.ticket import canonical
from app.http.auth import AUTH_RESPONSES, SupportKey
from app.http.deps import JsonBody, ReferenceDep, SessionDep, WriteSessionDep
from app.http.errors import Unprocessable
from app.http.jsonroute import JsonRoute
from app.http.openapi import TICKET_CODE
from app.store.tables import Ticket
from app.store.tickets import get_ticket, issuable_code, register_ticket, revoke_ticket

router = APIRouter(prefix="/v1/tickets", tags=["tickets"], route_class=JsonRoute)


# A code as support writes it when registering or looking one up: the OpenAPI document
# gives it the pattern of the reference's format; the registry refuses any other (422).
WrittenCode = Annotated[TicketCode, Field(json_schema_extra=TICKET_CODE)]
CodeInPath = Annotated[str, Path(json_schema_extra=TICKET_CODE)]


class TicketIn(Schema):
    """An issued ticket: its code, and optionally the unit it was issued to and when."""

    code: WrittenCode
    unit_code: UnitCode | None = None
    issued_at: AwareDatetime | None = None


class TicketOut(Schema):
    code: str
    unit_code: str | None
    issued_at: dt.datetime | None
    registered_at: dt.datetime
    revoked: bool
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, ticket: Ticket) -> TicketOut:
        return cls(
            code=ticket.code,
            unit_code=ticket.unit_code,
            issued_at=ticket.issued_at,
            registered_at=ticket.registered_at,
            revoked=ticket.revoked_at is not None,
            revoked_at=ticket.revoked_at,
        )


def _code_in_path(written: str, reference: Reference) -> str:
    code = canonical(written, reference.ticket)
    if code is None:
        raise Unprocessable(
            f"{written!r} is not a ticket code; the format is {reference.ticket.format}."
        )
    return code


@router.post(
    "",
    status_code=201,
    dependencies=[JsonBody],
    responses={
        **AUTH_RESPONSES,
        409: {"description": "The code is already registered"},
        415: {"description": "Body is not JSON"},
        422: {"description": "Not a ticket code that can have been issued"},
    },
)
async def create_ticket(
    body: TicketIn,
    caller: SupportKey,
    session: WriteSessionDep,
    reference: ReferenceDep,
    response: Response,
) -> TicketOut:
    """Register a ticket the Treasury's IT support issued; checks then treat it as proof."""
    code = issuable_code(body.code, reference, body.issued_at)
    ticket = await register_ticket(
        session, code, unit_code=body.unit_code, issued_at=body.issued_at, registered_by=caller.name
    )
    response.headers["Location"] = f"{router.prefix}/{ticket.code}"
    return TicketOut.of(ticket)


@router.get(
    "/{code}",
    responses={
        **AUTH_RESPONSES,
        404: {"description": "The code is not registered"},
        422: {"description": "Not a ticket code"},
    },
)
async def read_ticket(
    code: CodeInPath, caller: SupportKey, session: SessionDep, reference: ReferenceDep
) -> TicketOut:
    """A registered ticket, revoked or not."""
    return TicketOut.of(await get_ticket(session, _code_in_path(code, reference)))


@router.post(
    "/{code}/revoke",
    responses={
        **AUTH_RESPONSES,
        404: {"description": "The code is not registered"},
        422: {"description": "Not a ticket code"},
    },
)
async def revoke(
    code: CodeInPath, caller: SupportKey, session: WriteSessionDep, reference: ReferenceDep
) -> TicketOut:
    """Revoke a ticket: it stays on record but no longer proves a message genuine."""
    return TicketOut.of(await revoke_ticket(session, _code_in_path(code, reference)))
