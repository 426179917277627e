"""Durable delivery: token refresh mid-stream, rate limits, final failures, restarts."""

from __future__ import annotations

import json
from collections import Counter

import anyio
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from app.config import Settings
from app.services import Services
from app.store.database import Database
from app.store.keys import create_key
from app.zalo.events import Event, parse_event
from app.zalo.inbox import event_row, store_events
from app.zalo.models import EventStatus, ReplyStatus, ZaloEvent, ZaloReply, ZaloToken
from app.zalo.respond import Answer
from tests.zalo.conftest import USER, Chatbot, eventually, running_chatbot, text_event
from tests.zalo.standin import DROP, StandIn

pytestmark = pytest.mark.anyio


async def replies(database: Database) -> list[ZaloReply]:
    async with database.session() as session:
        return list(await session.scalars(select(ZaloReply).order_by(ZaloReply.id)))


async def finished(database: Database, count: int) -> bool:
    rows = await replies(database)
    return len(rows) == count and all(r.status != ReplyStatus.PENDING for r in rows)


async def wait_finished(database: Database, count: int, timeout: float = 5.0) -> list[ZaloReply]:
    with anyio.fail_after(timeout):
        while not await finished(database, count):
            await anyio.sleep(0.02)
    return await replies(database)


async def admin_token(database: Database) -> str:
    async with database.write_session() as session:
        _, token = await create_key(session, "ops", ["admin"])
    return token


def outcome_count(outcome: str) -> float:
    value = REGISTRY.get_sample_value("thatgia_zalo_replies_total", {"outcome": outcome})
    return value or 0.0


async def test_expired_access_token_is_refreshed_and_the_reply_sent_once(
    chatbot: Chatbot, database: Database, standin: StandIn
) -> None:
    await chatbot.say("mã pin", "m1")
    await eventually(lambda: len(standin.texts_to(USER)) == 1)
    standin.expire_access_tokens()  # Zalo ends the access token mid-stream
    await chatbot.say("mật khẩu", "m2")
    await eventually(lambda: len(standin.texts_to(USER)) == 2)
    assert [s.access_token for s in standin.sent] == ["at-1", "at-2"]
    assert standin.attempts == 3  # the refused send, then exactly one resend
    assert [r.form["refresh_token"] for r in standin.refreshes] == ["rt-0", "rt-1"]
    async with database.session() as session:
        row = await session.get(ZaloToken, standin.app_id)
    assert row is not None
    assert (row.access_token, row.refresh_token) == ("at-2", "rt-2")  # the live pair is kept


async def test_rate_limited_reply_is_retried_with_backoff_until_sent(
    chatbot: Chatbot, database: Database, standin: StandIn
) -> None:
    standin.answer_next(-32, -32)
    await chatbot.say("mã pin", "m1")
    [row] = await wait_finished(database, 1)
    assert (row.status, row.attempts) == (ReplyStatus.SENT, 3)
    assert len(standin.texts_to(USER)) == 1


async def test_user_who_cannot_be_messaged_is_recorded_without_retry(
    chatbot: Chatbot, database: Database, standin: StandIn
) -> None:
    before = outcome_count(ReplyStatus.UNDELIVERABLE)
    standin.answer_next(-230)
    await chatbot.say("mã pin", "m1")
    [row] = await wait_finished(database, 1)
    assert (row.status, row.attempts, row.error_code) == (ReplyStatus.UNDELIVERABLE, 1, -230)
    assert standin.attempts == 1
    assert outcome_count(ReplyStatus.UNDELIVERABLE) == before + 1


async def test_reply_failing_every_attempt_is_listed_for_admins(
    chatbot: Chatbot, database: Database, standin: StandIn
) -> None:
    before = outcome_count(ReplyStatus.FAILED)
    standin.answer_next(DROP, -32, DROP, -999)  # zalo_max_attempts is 4
    await chatbot.say("mã pin", "m1")
    [row] = await wait_finished(database, 1)
    assert (row.status, row.attempts, row.error_code) == (ReplyStatus.FAILED, 4, -999)
    assert outcome_count(ReplyStatus.FAILED) == before + 1
    url = "/v1/integrations/zalo/failures"
    assert (await chatbot.client.get(url)).status_code == 401
    headers = {"Authorization": f"Bearer {await admin_token(database)}"}
    listed = (await chatbot.client.get(url, headers=headers)).json()["failures"]
    assert [(f["id"], f["status"], f["attempts"]) for f in listed] == [(row.id, "failed", 4)]


@pytest.mark.parametrize(
    ("before_id", "status"),
    [(2**63, 422), (-(2**63), 422), (0, 422), (2**31, 422), (2**31 - 1, 200)],
)
async def test_failures_page_is_bounded_to_what_the_database_can_compare(
    chatbot: Chatbot, database: Database, before_id: int, status: int
) -> None:
    headers = {"Authorization": f"Bearer {await admin_token(database)}"}
    url = f"/v1/integrations/zalo/failures?before_id={before_id}"
    response = await chatbot.client.get(url, headers=headers)
    assert response.status_code == status
    assert response.json() == {"failures": []} if status == 200 else "before_id" in response.text


async def test_event_that_cannot_be_answered_is_listed_among_the_failures(
    chatbot: Chatbot, database: Database, standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(event: Event, services: Services, media: object = None) -> Answer:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr("app.zalo.worker.answer", broken)
    before = outcome_count(ReplyStatus.UNANSWERED)
    await chatbot.say("mã pin", "m1")
    [row] = await wait_finished(database, 1)
    assert (row.status, row.attempts, row.text) == (ReplyStatus.UNANSWERED, 0, "")
    assert outcome_count(ReplyStatus.UNANSWERED) == before + 1
    headers = {"Authorization": f"Bearer {await admin_token(database)}"}
    url = "/v1/integrations/zalo/failures"
    listed = (await chatbot.client.get(url, headers=headers)).json()["failures"]
    assert [(f["event_id"], f["user_id"], f["status"], f["last_error"]) for f in listed] == [
        (row.event_id, USER, "unanswered", "RuntimeError: the engine broke")
    ]
    async with database.session() as session:
        event = await session.get(ZaloEvent, row.event_id)
    assert event is not None and event.status == EventStatus.FAILED
    assert standin.sent == []


async def test_pending_replies_resume_after_a_restart_none_lost_none_twice(
    zalo_settings: Settings, database: Database, standin: StandIn, token_loaded: None
) -> None:
    slow_retries = zalo_settings.model_copy(update={"zalo_retry_base_seconds": 0.5})
    standin.answer_next(*[-32] * 5)  # every first attempt is rate limited
    async with running_chatbot(slow_retries, standin) as first:
        for i in range(5):
            await first.say(f"mã pin {i}", f"m{i}", user=f"user-{i}")
        await eventually(lambda: standin.attempts == 5)
    assert standin.sent == []  # stopped with five replies pending
    async with running_chatbot(zalo_settings, standin):
        rows = await wait_finished(database, 5)
    assert all(r.status == ReplyStatus.SENT for r in rows)
    assert Counter(s.user_id for s in standin.sent) == {f"user-{i}": 1 for i in range(5)}


async def test_two_replicas_on_one_database_send_each_reply_once(
    zalo_settings: Settings, database: Database, standin: StandIn, token_loaded: None
) -> None:
    async with (
        running_chatbot(zalo_settings, standin) as one,
        running_chatbot(zalo_settings, standin) as two,
    ):
        for i in range(20):
            await (one if i % 2 else two).say(f"mã pin {i}", f"m{i}", user=f"user-{i}")
        await wait_finished(database, 20, timeout=10)
    assert Counter(s.user_id for s in standin.sent) == {f"user-{i}": 1 for i in range(20)}
    assert len(standin.refreshes) == 1  # one replica refreshed, the other used its pair


async def test_failures_endpoint_is_404_while_zalo_is_not_configured(
    database_url: str, database: Database, standin: StandIn
) -> None:
    headers = {"Authorization": f"Bearer {await admin_token(database)}"}
    async with running_chatbot(Settings(database_url=database_url), standin) as bot:
        response = await bot.client.get("/v1/integrations/zalo/failures", headers=headers)
    assert response.status_code == 404


async def test_event_left_by_a_process_that_died_is_answered_by_another(
    chatbot: Chatbot, database: Database, standin: StandIn
) -> None:
    body = json.dumps(text_event(standin.app_id, "mã pin", "m-orphan", user="orphan"))
    event = parse_event(body.encode())
    assert event is not None
    row = event_row(event, body.encode(), lease=-1.0)  # its lease has run out
    assert await database.transaction(lambda conn: store_events(conn, [row])) != [None]
    await eventually(lambda: bool(standin.texts_to("orphan")))


async def test_a_flood_of_webhooks_is_acknowledged_and_every_event_answered(
    chatbot: Chatbot, standin: StandIn
) -> None:
    for i in range(10):
        assert (await chatbot.say(f"mã pin {i}", f"f{i}", user=f"flood-{i}")).status_code == 200
    await eventually(lambda: len(standin.sent) == 10)
    assert sorted(s.user_id for s in standin.sent) == sorted(f"flood-{i}" for i in range(10))


async def test_a_lone_message_is_answered_at_once(chatbot: Chatbot, standin: StandIn) -> None:
    await chatbot.say("mã pin", "lone")
    await eventually(lambda: len(standin.texts_to(USER)) == 1, timeout=3.0)
