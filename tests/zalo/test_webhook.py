"""The webhook: signed events are stored, acknowledged at once, and answered in the chat."""

from __future__ import annotations

import json
import time
from typing import TypeVar

import anyio
import pytest
from sqlalchemy import func, select

from app.config import Settings
from app.store.database import Database
from app.zalo.models import ZaloEvent, ZaloReply
from app.zalo.reply import MAX_CHARS, zalo_length
from tests.zalo.conftest import OA, USER, Chatbot, eventually, running_chatbot, sign, text_event
from tests.zalo.standin import StandIn

pytestmark = pytest.mark.anyio
T = TypeVar("T", ZaloEvent, ZaloReply)

SCAM = "Em bên Kho bạc hỗ trợ, anh cài UltraViewer rồi gửi em ID và mật khẩu, vào http://kbnn-hotro.com"


async def stored_events(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(ZaloEvent)) or 0)


async def test_webhook_is_404_while_zalo_is_not_configured(
    database_url: str, standin: StandIn
) -> None:
    async with running_chatbot(Settings(database_url=database_url), standin) as bot:
        response = await bot.say("xin chào", "m1")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_forwarded_scam_gets_the_verdict_in_the_chat(chatbot: Chatbot) -> None:
    response = await chatbot.say(SCAM, "m1")
    assert response.status_code == 200
    assert response.json() == {"status": "accepted"}
    await eventually(lambda: bool(chatbot.standin.texts_to(USER)))
    reply = chatbot.standin.texts_to(USER)[0]
    assert "MẠO DANH" in reply.splitlines()[0]
    assert "Lý do:" in reply and "Nên làm:" in reply


@pytest.mark.parametrize(
    "tamper",
    ["body", "key", "missing"],
)
async def test_unsigned_or_tampered_events_are_refused_and_not_stored(
    chatbot: Chatbot, database: Database, tamper: str
) -> None:
    body = json.dumps(text_event(chatbot.standin.app_id, SCAM, "m1")).encode()
    headers = {"X-ZEvent-Signature": sign(body, chatbot.standin.app_id)}
    if tamper == "body":
        body = body.replace(b"m1", b"m2")
    elif tamper == "key":
        headers["X-ZEvent-Signature"] = sign(body, chatbot.standin.app_id, "app-secret")
    else:
        headers = {}
    response = await chatbot.client.post(
        "/v1/integrations/zalo/webhook", content=body, headers=headers
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert await stored_events(database) == 0


async def test_repeated_msg_id_is_acknowledged_but_answered_once(
    chatbot: Chatbot, database: Database
) -> None:
    first = await chatbot.say(SCAM, "m-dup")
    again = await chatbot.say(SCAM, "m-dup")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"status": "duplicate"}
    await eventually(lambda: bool(chatbot.standin.texts_to(USER)))
    await chatbot.say("mã pin", "m-next")  # the worker has moved past the duplicate
    await eventually(lambda: len(chatbot.standin.texts_to(USER)) == 2)
    assert await stored_events(database) == 2


async def test_follow_gets_how_to_recognise_real_support(chatbot: Chatbot) -> None:
    event = {
        "app_id": chatbot.standin.app_id,
        "event_name": "follow",
        "timestamp": "1700000000000",
        "oa_id": OA,
        "follower": {"id": "u-follow"},
        "source": "oa_profile",
    }
    assert (await chatbot.post(event)).status_code == 200
    await eventually(lambda: bool(chatbot.standin.texts_to("u-follow")))
    welcome = chatbot.standin.texts_to("u-follow")[0]
    assert "hotrocntt@vst.gov.vn" in welcome and "024 6276 4300" in welcome


async def test_image_is_answered_with_a_request_to_paste_text(chatbot: Chatbot) -> None:
    event = text_event(chatbot.standin.app_id, "", "m-img")
    event["event_name"] = "user_send_image"
    event["message"]["attachments"] = [{"type": "image", "payload": {"url": "https://x/1.jpg"}}]
    assert (await chatbot.post(event)).status_code == 200
    await eventually(lambda: bool(chatbot.standin.texts_to(USER)))
    assert "dán" in chatbot.standin.texts_to(USER)[0]


async def test_shared_link_is_assessed_with_its_description(chatbot: Chatbot) -> None:
    event = text_event(chatbot.standin.app_id, "", "m-link")
    event["event_name"] = "user_send_link"
    payload = {"url": "http://kbnn-capnhat.top/dvc", "description": "Cập nhật chữ ký số"}
    event["message"]["attachments"] = [{"type": "link", "payload": payload}]
    assert (await chatbot.post(event)).status_code == 200
    await eventually(lambda: bool(chatbot.standin.texts_to(USER)))
    reply = chatbot.standin.texts_to(USER)[0]
    assert "kbnn-capnhat.top" in reply
    assert "MẠO DANH" in reply.splitlines()[0]


async def test_unknown_event_is_acknowledged_and_ignored(
    chatbot: Chatbot, database: Database
) -> None:
    event = text_event(chatbot.standin.app_id, "", "m-sticker")
    event["event_name"] = "user_send_sticker"
    response = await chatbot.post(event)
    assert response.json() == {"status": "ignored"}
    assert await stored_events(database) == 0


async def test_reply_that_would_be_too_long_is_shortened_under_the_limit(
    chatbot: Chatbot,
) -> None:
    links = " ".join(f"http://kbnn-{i}.example/" + "a" * 700 for i in range(3))
    assert (await chatbot.say(f"{SCAM} {links} mã pin, mã OTP", "m-long")).status_code == 200
    await eventually(lambda: bool(chatbot.standin.texts_to(USER)))
    reply = chatbot.standin.texts_to(USER)[0]
    assert zalo_length(reply) < MAX_CHARS
    assert "MẠO DANH" in reply.splitlines()[0]


async def test_webhook_answers_within_two_seconds_while_zalo_hangs(chatbot: Chatbot) -> None:
    chatbot.standin.hang()
    started = time.monotonic()
    for i in range(5):
        response = await chatbot.say(f"{SCAM} {i}", f"m-hang-{i}")
        assert response.status_code == 200
    assert time.monotonic() - started < 2.0
    chatbot.standin.release()
    await eventually(lambda: len(chatbot.standin.texts_to(USER)) == 5)


async def test_answered_message_is_not_kept_in_the_database(
    chatbot: Chatbot, database: Database
) -> None:
    await chatbot.say(SCAM, "m-private")
    with anyio.fail_after(5):
        while (reply := await only(database, ZaloReply)) is None or reply.status != "sent":
            await anyio.sleep(0.02)
    event = await only(database, ZaloEvent)
    assert event is not None
    assert (event.status, event.verdict, event.body) == ("done", "impersonation", "")
    assert reply.text == ""


async def only(database: Database, table: type[T]) -> T | None:
    async with database.session() as session:
        return await session.scalar(select(table))
