"""Reports in the store: exact counts, one report per check, official identifiers never."""

from __future__ import annotations

import uuid

import anyio
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.engine.claim import Indicator, IndicatorKind
from app.engine.extract import is_official
from app.engine.reference import load_reference
from app.engine.reference.models import Reference
from app.store.database import Database
from app.store.errors import Conflict, NotFound
from app.store.moderation import confirm
from app.store.reports import (
    current_counts,
    indicators_of,
    record_report,
    reported_counts,
)
from app.store.tables import CheckRecord, Report, utcnow

REFERENCE = load_reference()

SCAM_PHONE = Indicator(IndicatorKind.PHONE, "+84912345678")
SCAM_DOMAIN = Indicator(IndicatorKind.DOMAIN, "kbnn-hotro.com")


async def add_check(database: Database, *found: Indicator) -> uuid.UUID:
    check_id = uuid.uuid4()
    record = CheckRecord(
        id=check_id,
        created_at=utcnow(),
        channel="zalo",
        verdict="impersonation",
        finding_codes=["phone.mobile"],
        input_sha256="0" * 64,
        excerpt="",
        indicators=[[i.kind.value, i.value] for i in found],
    )
    async with database.write_session() as session:
        session.add(record)
        await session.commit()
    return check_id


def official(reference: Reference) -> list[Indicator]:
    domain = reference.official_sender.domains[0]
    return [
        Indicator(IndicatorKind.EMAIL, reference.official_sender.address),
        Indicator(IndicatorKind.PHONE, reference.switchboard.e164),
        Indicator(IndicatorKind.DOMAIN, domain),
        Indicator(IndicatorKind.URL, f"{domain}/dvc"),
        Indicator(IndicatorKind.EMAIL, f"someone@{domain}"),
    ]


def test_official_identifiers_are_official(reference: Reference) -> None:
    assert all(is_official(i, reference) for i in official(reference))


def test_scam_identifiers_are_not_official(reference: Reference) -> None:
    lookalike = Indicator(IndicatorKind.DOMAIN, "vst-gov.vn")
    assert not any(is_official(i, reference) for i in (SCAM_PHONE, SCAM_DOMAIN, lookalike))


async def confirmed(session: AsyncSession, check_id: uuid.UUID, note: str | None) -> Report:
    """Record a report of the check and confirm it, in one transaction."""
    report = await record_report(session, check_id, note)
    await confirm(session, report.id, "test", REFERENCE)
    await session.commit()
    return report


async def test_a_report_counts_nothing_until_confirmed(database: Database) -> None:
    check_id = await add_check(database, SCAM_PHONE, SCAM_DOMAIN)
    async with database.write_session() as session:
        report = await record_report(session, check_id, "called me")
        await session.commit()
        assert await current_counts(session, indicators_of(report)) == {
            SCAM_DOMAIN: 0,
            SCAM_PHONE: 0,
        }
        assert (report.status, report.note) == ("pending", "called me")


async def test_confirmed_report_counts_each_indicator_of_the_check(database: Database) -> None:
    check_id = await add_check(database, SCAM_PHONE, SCAM_DOMAIN)
    async with database.write_session() as session:
        report = await confirmed(session, check_id, "called me")
        counts = await current_counts(session, indicators_of(report))
    assert counts == {SCAM_PHONE: 1, SCAM_DOMAIN: 1}


async def test_confirmation_leaves_out_an_identifier_official_since_the_check(
    database: Database, reference: Reference
) -> None:
    switchboard = Indicator(IndicatorKind.PHONE, reference.switchboard.e164)
    check_id = await add_check(database, SCAM_PHONE, switchboard)
    async with database.write_session() as session:
        await confirmed(session, check_id, None)
    found = await database.read(lambda lookup: reported_counts(lookup, [SCAM_PHONE, switchboard]))
    assert found == {SCAM_PHONE: 1}


async def test_reports_of_two_checks_add_up(database: Database) -> None:
    for _ in range(2):
        check_id = await add_check(database, SCAM_PHONE)
        async with database.write_session() as session:
            await confirmed(session, check_id, None)
    counts = await database.read(lambda lookup: reported_counts(lookup, [SCAM_PHONE, SCAM_DOMAIN]))
    assert counts == {SCAM_PHONE: 2}


async def test_a_look_up_sees_the_reports_made_since_the_one_before(database: Database) -> None:
    """On SQLite the look-ups keep their connection between checks (app.store.sqlite): none
    of them may leave a read open, which would hold every later one to its snapshot."""
    for expected in (1, 2):
        check_id = await add_check(database, SCAM_PHONE)
        async with database.write_session() as session:
            await confirmed(session, check_id, None)
        counts = await database.read(lambda lookup: reported_counts(lookup, [SCAM_PHONE]))
        assert counts == {SCAM_PHONE: expected}


async def test_a_check_is_reported_once(database: Database) -> None:
    check_id = await add_check(database, SCAM_PHONE)
    async with database.write_session() as session:
        await confirmed(session, check_id, None)
        with pytest.raises(Conflict):
            await record_report(session, check_id, None)
    assert await database.read(lambda lookup: reported_counts(lookup, [SCAM_PHONE])) == {
        SCAM_PHONE: 1
    }


async def test_report_of_an_unknown_check_is_not_found(database: Database) -> None:
    async with database.write_session() as session:
        with pytest.raises(NotFound):
            await record_report(session, uuid.uuid4(), None)


async def test_concurrent_reports_each_in_its_own_session_count_exactly(
    database: Database,
) -> None:
    checks = [await add_check(database, SCAM_PHONE, SCAM_DOMAIN) for _ in range(20)]

    async def report(check_id: uuid.UUID) -> None:
        async with database.write_session() as session:
            await confirmed(session, check_id, None)

    async with anyio.create_task_group() as tasks:
        for check_id in checks:
            tasks.start_soon(report, check_id)
    counts = await database.read(lambda lookup: reported_counts(lookup, [SCAM_PHONE, SCAM_DOMAIN]))
    assert counts == {SCAM_PHONE: 20, SCAM_DOMAIN: 20}


async def test_a_count_belongs_to_its_kind_of_indicator(database: Database) -> None:
    """A bare-domain link and its domain share a value: a report of one is no report of
    the other."""
    link = Indicator(IndicatorKind.URL, "kbnn-hotro.com")
    check_id = await add_check(database, SCAM_DOMAIN)
    async with database.write_session() as session:
        await confirmed(session, check_id, None)
    counts = await database.read(lambda lookup: reported_counts(lookup, [link, SCAM_DOMAIN]))
    assert counts == {SCAM_DOMAIN: 1}
    assert await database.read(lambda lookup: reported_counts(lookup, [link])) == {}
