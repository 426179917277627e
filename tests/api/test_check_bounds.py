"""POST /v1/check on messages crowded with identifiers: a small answer, the verdict of every
finding, and how much was left out; an ordinary message answered as before."""

from __future__ import annotations

import uuid
from collections import Counter

import httpx
import pytest

from app.api.present import identifiers, present
from app.config import Settings
from app.engine.extract import IDENTIFIERS_PER_KIND
from app.engine.findings import FINDINGS_PER_CODE, Lang
from app.engine.reference.models import Reference
from app.store.database import Database
from app.store.tables import CheckRecord
from tests.crowded import ANSWER_BYTES, MESSAGES, everything, expected, phone_directory

ORDINARY = (
    "Em bên KBNN, gọi em 0901 234 567 hoặc 0912 345 678, mã SD251120-000123, "
    "vào bit.ly/kbnn hoặc mail hotrocntt@gmail.com, máy lẻ 88617 hay 12345"
)


def test_the_crowded_messages_are_as_crowded_as_the_issue_says(reference: Reference) -> None:
    # A directory of numbers is a list (app.engine.claimgate): each one is named, unclaimed.
    assert expected("phone_directory", reference).omitted == {"identifier.unclaimed": 1797}
    assert expected("ticket_list", reference).omitted == {
        "ticket.valid": 1247,
        "ticket.stale": 1247,
    }
    mixed = expected("mixed_worst_case", reference, learned=False)
    assert len(mixed.message) <= 20_000
    assert len(mixed.omitted) >= 10  # ten codes past the bound, each by about a hundred
    # The learned layer adds at most one finding of a code the rules did not find: it never
    # pushes a code past the bound.
    assert set(expected("mixed_worst_case", reference).omitted) <= set(mixed.omitted)


@pytest.mark.parametrize("name", list(MESSAGES))
async def test_a_crowded_message_answers_small_with_the_verdict_of_every_finding(
    client: httpx.AsyncClient, reference: Reference, name: str
) -> None:
    case = expected(name, reference)
    response = await client.post("/v1/check", json={"message": case.message})
    assert response.status_code == 200
    assert len(response.content) < ANSWER_BYTES
    body = response.json()
    assert body["verdict"] == case.verdict.value
    assert body["omitted"] == {"findings": case.omitted, "extracted": case.omitted_extracted}
    assert max(Counter(f["code"] for f in body["findings"]).values()) <= FINDINGS_PER_CODE
    assert all(len(values) <= IDENTIFIERS_PER_KIND for values in body["extracted"].values())


async def test_the_identifiers_listed_are_the_first_found(client: httpx.AsyncClient) -> None:
    body = (await client.post("/v1/check", json={"message": phone_directory()})).json()
    assert body["extracted"]["phones"] == [f"+849{i:08d}" for i in range(IDENTIFIERS_PER_KIND)]
    assert body["omitted"]["extracted"] == {"phones": 1800 - IDENTIFIERS_PER_KIND}


async def test_an_ordinary_message_is_answered_whole_with_nothing_omitted(
    client: httpx.AsyncClient, reference: Reference
) -> None:
    body = (await client.post("/v1/check", json={"message": ORDINARY})).json()
    whole = everything(ORDINARY, reference)
    shown = present(whole, check_id="", lang=Lang.VI, ref=reference, stored=False)
    assert body["omitted"] == {"findings": {}, "extracted": {}}
    assert body["findings"] == [f.model_dump(mode="json") for f in shown.findings]
    assert body["extracted"] == identifiers(whole.extracted)
    assert body["verdict"] == whole.verdict.value


async def test_the_audit_record_of_a_directory_keeps_the_indicators_it_listed(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    body = (await client.post("/v1/check", json={"message": phone_directory()})).json()
    database = Database(settings)
    try:
        async with database.session() as session:
            record = await session.get(CheckRecord, uuid.UUID(body["id"]))
    finally:
        await database.dispose()
    assert record is not None
    assert record.indicators == [["phone", phone] for phone in body["extracted"]["phones"]]
    assert record.finding_codes == ["ticket.missing", "identifier.unclaimed"]
