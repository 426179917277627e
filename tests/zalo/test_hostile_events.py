"""Events no real user sends, or sends rarely: each gets an answer, a refusal or a failure
entry, never a 500 nor silence."""

from __future__ import annotations

import pytest

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
