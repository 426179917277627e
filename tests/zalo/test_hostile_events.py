"""Events no real user sends, or sends rarely: each gets an answer, a refusal or a failure
entry, never a 500 nor silence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import Database
from app.zalo.models import ZaloEvent
from tests.zalo.conftest import USER, Chatbot, eventually, text_event

pytestmark = pytest.mark.anyio

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


async def test_message_ids_alike_in_their_first_196_characters_are_two_messages(
    chatbot: Chatbot, database: Database
) -> None:
    first, second = "x" * 196 + "a" * 10, "x" * 196 + "b" * 10
    assert (await chatbot.say("mã pin", first)).json() == {"status": "accepted"}
    assert (await chatbot.say("mật khẩu", second)).json() == {"status": "accepted"}
    assert (await chatbot.say("mật khẩu", second)).json() == {"status": "duplicate"}
    await eventually(lambda: len(chatbot.standin.texts_to(USER)) == 2)
    assert len(await events(database)) == 2


async def test_user_id_longer_than_the_outbox_holds_is_ignored_not_cut(
    chatbot: Chatbot, database: Database
) -> None:
    event = text_event(chatbot.standin.app_id, "mã pin", "m-long-user", user="9" * 65)
    assert (await chatbot.post(event)).json() == {"status": "ignored"}
    assert await events(database) == []


async def events(database: Database) -> list[ZaloEvent]:
    async with database.session() as session:
        return list(await session.scalars(select(ZaloEvent)))
