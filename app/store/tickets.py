"""The ticket registry: codes the Treasury's support really issued (the proof of SPEC §4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.engine.claim import RegisteredTicket
from app.engine.reference.models import Reference
from app.engine.validators.ticket import canonical, check_ticket, written_ticket
from app.store.errors import Conflict, Invalid, NotFound
from app.store.lookup import VALUES, Lookup
from app.store.tables import Ticket, utcnow

# Clocks of the registering system and of this one may differ by this much.
CLOCK_SKEW = dt.timedelta(minutes=5)
# What the ticket validator says about a code that cannot have been issued.
_REJECTED = {"ticket.malformed", "ticket.invalid_date", "ticket.future_date"}


def issuable_code(written: str, reference: Reference, issued_at: dt.datetime | None) -> str:
    """The canonical code, if the ticket validator accepts it as issued then (else Invalid)."""
    spec = reference.ticket
    code = canonical(written, spec)
    if code is None:
        raise Invalid(f"{written!r} is not a ticket code; the format is {spec.format}.")
    if issued_at is not None and issued_at > dt.datetime.now(dt.UTC) + CLOCK_SKEW:
        raise Invalid(f"issued_at {issued_at.isoformat()} is in the future.")
    findings = check_ticket(
        written_ticket(code, spec),
        field="code",
        received_at=issued_at or dt.datetime.now(dt.UTC),
        stale_after_days=100_000,  # an old ticket is still a real one
        reference=reference,
    )
    rejected = sorted(f.code for f in findings if f.code in _REJECTED)
    if rejected:
        raise Invalid(f"{code} cannot have been issued: {', '.join(rejected)}.")
    return code


async def register_ticket(
    session: AsyncSession,
    code: str,
    *,
    unit_code: str | None = None,
    issued_at: dt.datetime | None = None,
    registered_by: str | None = None,
) -> Ticket:
    """Register an issued ticket; Conflict when the code is already registered."""
    ticket = Ticket(
        code=code, unit_code=unit_code, issued_at=issued_at, registered_by=registered_by
    )
    session.add(ticket)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(f"The ticket {code} is already registered.") from exc
    return ticket


async def get_ticket(session: AsyncSession, code: str) -> Ticket:
    ticket = await session.scalar(select(Ticket).where(Ticket.code == code))
    if ticket is None:
        raise NotFound(f"The ticket {code} is not registered.")
    return ticket


async def revoke_ticket(session: AsyncSession, code: str) -> Ticket:
    """Mark a ticket revoked (it stays on record); revoking twice changes nothing."""
    ticket = await get_ticket(session, code)
    if ticket.revoked_at is None:
        ticket.revoked_at = utcnow()
        await session.commit()
    return ticket


# Built once: constructing a statement costs more than running it on an indexed column.
TICKETS_BY_CODE = select(Ticket.code, Ticket.unit_code, Ticket.revoked_at).where(
    Ticket.code.in_(bindparam(VALUES, expanding=True))
)


def registered(lookup: Lookup, codes: Iterable[str]) -> dict[str, RegisteredTicket]:
    """What the registry knows about these codes, as the engine reads it (Database.read)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = lookup(TICKETS_BY_CODE, wanted)
    return {
        code: RegisteredTicket(code, unit_code, revoked=revoked_at is not None)
        for code, unit_code, revoked_at in rows
    }
