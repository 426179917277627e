"""The chatbot's reply to messages crowded with identifiers: the verdict of every finding, how
many the reply leaves out, within one Zalo message (and so far under any size bound)."""

from __future__ import annotations

import pytest

from app.engine.findings import Lang
from app.engine.i18n import text, verdict_label
from app.engine.reference.models import Reference
from app.zalo.reply import MAX_CHARS, zalo_length
from tests.crowded import ANSWER_BYTES, MESSAGES, expected
from tests.zalo.conftest import USER, Chatbot, eventually

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("name", list(MESSAGES))
async def test_a_crowded_message_is_answered_with_its_verdict_and_what_was_left_out(
    chatbot: Chatbot, reference: Reference, name: str
) -> None:
    case = expected(name, reference)
    assert (await chatbot.say(case.message, f"crowded-{name}")).status_code == 200
    await eventually(lambda: bool(chatbot.standin.texts_to(USER)), timeout=20)
    [reply] = chatbot.standin.texts_to(USER)
    assert len(reply.encode()) < ANSWER_BYTES and zalo_length(reply) < MAX_CHARS
    assert verdict_label(case.verdict, Lang.VI) in reply.splitlines()[0]
    left_out = sum(case.omitted.values())
    assert text("zalo", "more", Lang.VI, reference, count=str(left_out)) in reply
