"""The audit record of a check, and its purge."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from app.engine.assess import assess
from app.engine.claim import Channel, Claim, Context
from app.engine.extract import IDENTIFIERS_PER_KIND, extract, indicators
from app.engine.lookups import reportable
from app.engine.reference.models import Reference
from app.store.audit import CheckRow, check_record, input_digest, purge_checks, record_check
from app.store.database import Database
from app.store.tables import CheckRecord, Report

RECEIVED = dt.datetime(2025, 11, 21, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
MESSAGE = "Em bên Kho bạc, gửi em mật khẩu: Abc@123 và gọi 0912345678 hoặc 024 6276 4300"


def record_of(claim: Claim, reference: Reference, *, keep_text: bool = False) -> CheckRow:
    extracted = extract(claim.message, reference)
    assessment = assess(claim, Context(reference=reference), extracted)
    wanted = reportable(indicators(claim, extracted), reference)
    return check_record(
        uuid.uuid4(), claim, assessment, wanted, reference=reference, keep_text=keep_text
    )


def test_record_keeps_verdict_codes_channel_and_digest(reference: Reference) -> None:
    claim = Claim(message=MESSAGE, channel=Channel.ZALO, received_at=RECEIVED)
    record = record_of(claim, reference)
    assert (record["verdict"], record["channel"]) == ("impersonation", "zalo")
    assert "request.password" in record["finding_codes"]
    assert record["input_sha256"] == input_digest(claim)


def test_record_keeps_a_redacted_excerpt_and_no_full_text(reference: Reference) -> None:
    record = record_of(Claim(message=MESSAGE, received_at=RECEIVED), reference)
    assert "Abc@123" not in record["excerpt"]
    assert "0912345678" not in record["excerpt"]
    assert record["excerpt"].startswith("Em bên Kho bạc")
    assert record["full_text"] is None


def test_record_keeps_the_full_text_when_configured(reference: Reference) -> None:
    record = record_of(Claim(message=MESSAGE, received_at=RECEIVED), reference, keep_text=True)
    assert record["full_text"] == MESSAGE


def test_record_indicators_leave_out_the_switchboard(reference: Reference) -> None:
    record = record_of(Claim(message=MESSAGE, received_at=RECEIVED), reference)
    assert record["indicators"] == [["phone", "+84912345678"]]


def test_digest_differs_when_any_field_differs() -> None:
    assert input_digest(Claim(message="a")) != input_digest(Claim(message="a", phone="1"))


async def test_purge_deletes_only_older_records_and_keeps_their_reports(
    database: Database, reference: Reference
) -> None:
    old = record_of(Claim(message=MESSAGE), reference)
    old["created_at"] -= dt.timedelta(days=91)
    new = record_of(Claim(message=MESSAGE), reference)
    async with database.write_session() as session:
        await record_check(session, old)
        await record_check(session, new)
        session.add(Report(check_id=old["id"], note="scam", indicators=old["indicators"]))
        await session.commit()
        assert await purge_checks(session, dt.timedelta(days=90)) == 1
    async with database.session() as session:
        assert list(await session.scalars(select(CheckRecord.id))) == [new["id"]]
        report = (await session.scalars(select(Report))).one()
    assert (report.check_id, report.note) == (None, "scam")


def test_record_of_a_directory_keeps_the_listed_numbers_and_the_claims_own(
    reference: Reference,
) -> None:
    directory = " ".join(f"09{i:08d}" for i in range(1800))
    claim = Claim(message=directory, phone="0977 777 777", sender="kbnn@hotro-kbnn.com")
    indicators = record_of(claim, reference)["indicators"]
    listed = [["phone", f"+849{i:08d}"] for i in range(IDENTIFIERS_PER_KIND)]
    assert ["phone", "+84977777777"] in indicators
    assert ["email", "kbnn@hotro-kbnn.com"] in indicators
    assert [i for i in indicators if i[1].startswith("+849000")] == listed
    assert len(indicators) == IDENTIFIERS_PER_KIND + 3  # and the address's domain
