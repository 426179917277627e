"""Events no real user sends, or sends rarely: each gets an answer, a refusal or a failure
entry, never a 500 nor silence."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from sqlalchemy import select

from app.store.database import Database
from app.zalo.models import ZaloEvent
from tests.zalo.conftest import USER, Chatbot, eventually, sign, text_event

pytestmark = pytest.mark.anyio

WEBHOOK = "/v1/integrations/zalo/webhook"
TICKET_TEXT = "Em bên Kho bạc, mã yêu cầu SD251120-000123, anh gửi em mã PIN nhé"


async def test_event_stamped_at_the_end_of_the_calendar_is_answered_as_of_now(
    chatbot: Chatbot,
) -> None:
    # 31/12/9999 23:59:59 UTC: no message is sent then; the event is judged as if sent now.
    event = text_event(chatbot.standin.app_id, TICKET_TEXT, "m-end-of-time")
    event["timestamp"] = "253402300799000"
    assert (await chatbot.post(event)).json() == {"status": "accepted"}
    await chatbot.say(TICKET_TEXT, "m-now")
    await eventually(lambda: len(chatbot.standin.texts_to(USER)) == 2)
    far, now = chatbot.standin.texts_to(USER)
    assert far == now
    assert "MẠO DANH" in far.splitlines()[0]


async def test_body_nested_a_thousand_deep_is_401_without_a_traceback(
    chatbot: Chatbot, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"timestamp": "1", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    assert len(body) < 2100
    headers = {"X-ZEvent-Signature": "mac=" + "0" * 64}
    with caplog.at_level(logging.WARNING):
        response = await chatbot.client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await events(database) == []


async def test_message_ids_alike_in_their_first_196_characters_are_two_messages(
    chatbot: Chatbot, database: Database
) -> None:
    first, second = "x" * 196 + "a" * 10, "x" * 196 + "b" * 10
    assert (await chatbot.say("mã pin", first)).json() == {"status": "accepted"}
    assert (await chatbot.say("mật khẩu", second)).json() == {"status": "accepted"}
    assert (await chatbot.say("mật khẩu", second)).json() == {"status": "duplicate"}
    await eventually(lambda: len(chatbot.standin.texts_to(USER)) == 2)
    assert len(await events(database)) == 2


async def test_text_with_a_lone_surrogate_is_answered_with_it_replaced(
    chatbot: Chatbot,
) -> None:
    # Half an emoji: JSON can carry it escaped (json.dumps writes "\ud83d"), UTF-8 cannot.
    event = text_event(chatbot.standin.app_id, "Anh gửi em mã PIN nhé \ud83d", "m-half")
    body = json.dumps(event).encode()
    assert b"\\ud83d" in body
    assert (await post_signed(chatbot, body)).json() == {"status": "accepted"}
    await eventually(lambda: bool(chatbot.standin.texts_to(USER)))
    reply = chatbot.standin.texts_to(USER)[0]
    assert "MẠO DANH" in reply.splitlines()[0]
    assert "\ud83d" not in reply


async def test_user_id_longer_than_the_outbox_holds_is_ignored_not_cut(
    chatbot: Chatbot, database: Database
) -> None:
    event = text_event(chatbot.standin.app_id, "mã pin", "m-long-user", user="9" * 65)
    assert (await chatbot.post(event)).json() == {"status": "ignored"}
    assert await events(database) == []


async def test_event_with_a_lone_surrogate_in_its_timestamp_is_401(
    chatbot: Chatbot,
) -> None:
    event = text_event(chatbot.standin.app_id, "mã pin", "m-odd-stamp")
    event["timestamp"] = "1\ud800"  # no mac can be made over it: it has no UTF-8
    headers = {"X-ZEvent-Signature": "mac=" + "0" * 64}
    body = json.dumps(event).encode()
    response = await chatbot.client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 401


async def post_signed(chatbot: Chatbot, body: bytes) -> httpx.Response:
    """Post a body as written (Chatbot.post writes UTF-8, which cannot hold a surrogate)."""
    headers = {"X-ZEvent-Signature": sign(body, chatbot.standin.app_id)}
    return await chatbot.client.post(WEBHOOK, content=body, headers=headers)


async def test_event_with_nul_in_its_key_is_stored_and_answered(
    chatbot: Chatbot, database: Database
) -> None:
    # No msg_id: the key is made of the timestamp, here holding U+0000, which
    # PostgreSQL's text cannot hold (the event was a 500 there).
    event = text_event(chatbot.standin.app_id, "Anh gửi em mã PIN nhé", "")
    del event["message"]["msg_id"]
    event["timestamp"] = "17\u0000"
    assert (await chatbot.post(event)).json() == {"status": "accepted"}
    await eventually(lambda: bool(chatbot.standin.texts_to(USER)))
    assert "MẠO DANH" in chatbot.standin.texts_to(USER)[0].splitlines()[0]


async def events(database: Database) -> list[ZaloEvent]:
    async with database.session() as session:
        return list(await session.scalars(select(ZaloEvent)))
