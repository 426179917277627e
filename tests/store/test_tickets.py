"""The ticket registry in the store: registration, look-up by canonical code, revocation."""

from __future__ import annotations

import datetime as dt

import pytest

from app.engine.claim import RegisteredTicket
from app.engine.reference.models import Reference
from app.store.database import Database
from app.store.errors import Conflict, Invalid, NotFound
from app.store.tickets import (
    issuable_code,
    register_ticket,
    registered,
    revoke_ticket,
)

CODE = "SD251120-000123"


def test_issuable_code_is_canonical(reference: Reference) -> None:
    assert issuable_code("sd251120–000123", reference, None) == CODE


@pytest.mark.parametrize(
    "written", ["SD251120-12345", "XX251120-000123", "SD230229-000123", "hello"]
)
def test_code_that_cannot_have_been_issued_is_unprocessable(
    written: str, reference: Reference
) -> None:
    with pytest.raises(Invalid):
        issuable_code(written, reference, None)


def test_code_dated_after_its_issue_is_unprocessable(reference: Reference) -> None:
    issued = dt.datetime(2025, 11, 19, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(Invalid):
        issuable_code(CODE, reference, issued)


def test_ticket_issued_in_the_future_is_unprocessable(reference: Reference) -> None:
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with pytest.raises(Invalid):
        issuable_code(CODE, reference, tomorrow)


def test_ticket_issued_on_its_day_is_accepted(reference: Reference) -> None:
    issued = dt.datetime(2025, 11, 20, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert issuable_code(CODE, reference, issued) == CODE


async def test_registered_ticket_is_found_with_its_unit(database: Database) -> None:
    async with database.write_session() as session:
        await register_ticket(session, CODE, unit_code="1234567")
    found = await database.read(lambda lookup: registered(lookup, [CODE, "SD251120-000999"]))
    assert found == {CODE: RegisteredTicket(CODE, "1234567", revoked=False)}


async def test_registering_a_code_twice_is_a_conflict(database: Database) -> None:
    async with database.write_session() as session:
        await register_ticket(session, CODE)
        with pytest.raises(Conflict):
            await register_ticket(session, CODE)


async def test_revoked_ticket_is_found_revoked(database: Database) -> None:
    async with database.write_session() as session:
        await register_ticket(session, CODE)
        await revoke_ticket(session, CODE)
    assert (await database.read(lambda lookup: registered(lookup, [CODE])))[CODE].revoked


async def test_revoking_an_unknown_code_is_not_found(database: Database) -> None:
    async with database.write_session() as session:
        with pytest.raises(NotFound):
            await revoke_ticket(session, CODE)
