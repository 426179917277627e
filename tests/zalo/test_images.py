"""Images sent to the Official Account: fetched from Zalo's media hosts only, read, checked
and answered like a forwarded text; anything else gets the request to paste the text."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from app.config import Settings
from tests.ocr.conftest import need_tesseract
from tests.ocr.screens import DARK, LIGHT, Style, font_paths, screenshot
from tests.zalo.conftest import USER, Chatbot, eventually, running_chatbot, text_event
from tests.zalo.standin import StandIn

SCAM = "Em bên Kho bạc, anh cài UltraViewer rồi gửi em ID và mật khẩu nhé"


@pytest.fixture(autouse=True)
def _tesseract() -> None:
    need_tesseract()


@pytest.fixture
def image_settings(zalo_settings: Settings) -> Settings:
    return zalo_settings.model_copy(
        update={"zalo_media_hosts": ["127.0.0.1"], "zalo_media_timeout": 1.0}
    )


@pytest.fixture
async def bot(
    image_settings: Settings, standin: StandIn, token_loaded: None
) -> AsyncIterator[Chatbot]:
    async with running_chatbot(image_settings, standin) as running:
        yield running


def image_event(bot: Chatbot, url: str, msg_id: str, kind: str = "image") -> dict[str, Any]:
    event = text_event(bot.standin.app_id, "", msg_id)
    event["event_name"] = f"user_send_{kind}"
    event["message"]["attachments"] = [{"type": kind, "payload": {"url": url}}]
    return event


async def reply_to(bot: Chatbot, event: dict[str, Any]) -> str:
    assert (await bot.post(event)).status_code == 200  # acknowledged first, as always
    await eventually(lambda: bool(bot.standin.texts_to(USER)), timeout=15)
    return bot.standin.texts_to(USER)[0]


def jpeg(message: str, *, dark: bool = False) -> bytes:
    return screenshot(message, Style(font_paths()[1], DARK if dark else LIGHT, "JPEG", 75))


async def test_a_scam_screenshot_is_answered_with_its_verdict(bot: Chatbot) -> None:
    bot.standin.media["scam.jpg"] = jpeg(SCAM, dark=True)
    reply = await reply_to(bot, image_event(bot, bot.standin.base_url + "/media/scam.jpg", "i1"))
    assert "MẠO DANH" in reply
    assert "UltraViewer" in reply


async def test_an_image_sent_as_a_file_is_read_too(bot: Chatbot) -> None:
    bot.standin.media["shot.png"] = jpeg(SCAM)
    url = bot.standin.base_url + "/media/shot.png"
    reply = await reply_to(bot, image_event(bot, url, "f1", kind="file"))
    assert "MẠO DANH" in reply


async def test_an_image_without_text_gets_the_request_to_paste(bot: Chatbot) -> None:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 220, 240)).save(out, "JPEG")
    bot.standin.media["sky.jpg"] = out.getvalue()
    reply = await reply_to(bot, image_event(bot, bot.standin.base_url + "/media/sky.jpg", "i2"))
    assert "dán" in reply


async def test_a_host_not_listed_is_never_fetched(bot: Chatbot) -> None:
    bot.standin.media["scam.jpg"] = jpeg(SCAM)
    other = bot.standin.base_url.replace("127.0.0.1", "localhost") + "/media/scam.jpg"
    reply = await reply_to(bot, image_event(bot, other, "i3"))
    assert "dán" in reply
    assert bot.standin.fetched == []


async def test_a_redirect_to_another_host_is_not_followed(bot: Chatbot) -> None:
    bot.standin.media["scam.jpg"] = jpeg(SCAM)
    elsewhere = bot.standin.base_url.replace("127.0.0.1", "localhost") + "/media/scam.jpg"
    bot.standin.redirects["away.jpg"] = elsewhere
    reply = await reply_to(bot, image_event(bot, bot.standin.base_url + "/media/away.jpg", "i4"))
    assert "dán" in reply
    assert [f.split("/", 1)[1] for f in bot.standin.fetched] == ["away.jpg"]


async def test_a_redirect_on_the_same_host_is_followed(bot: Chatbot) -> None:
    bot.standin.media["scam.jpg"] = jpeg(SCAM)
    bot.standin.redirects["moved.jpg"] = "/media/scam.jpg"
    reply = await reply_to(bot, image_event(bot, bot.standin.base_url + "/media/moved.jpg", "i5"))
    assert "MẠO DANH" in reply


async def test_an_image_over_the_size_limit_is_not_read(
    image_settings: Settings, standin: StandIn, token_loaded: None
) -> None:
    small = image_settings.model_copy(update={"ocr_max_bytes": 20_000})
    async with running_chatbot(small, standin) as bot:
        bot.standin.media["big.jpg"] = jpeg(SCAM) + b"\0" * 20_000
        reply = await reply_to(bot, image_event(bot, standin.base_url + "/media/big.jpg", "i6"))
    assert "dán" in reply


async def test_a_media_host_that_stalls_is_given_up_on(bot: Chatbot) -> None:
    bot.standin.media["slow.jpg"] = jpeg(SCAM)
    bot.standin.media_delay = 3.0  # past THATGIA_ZALO_MEDIA_TIMEOUT (1 s here)
    reply = await reply_to(bot, image_event(bot, bot.standin.base_url + "/media/slow.jpg", "i7"))
    assert "dán" in reply


async def test_a_document_sent_as_a_file_is_not_downloaded_whole(bot: Chatbot) -> None:
    bot.standin.media["report.pdf"] = b"%PDF-1.7\n" + b"0" * 5_000_000
    bot.standin.media_drip = 0.01  # 64 KB at a time, as a slow link would bring it
    url = bot.standin.base_url + "/media/report.pdf"
    reply = await reply_to(bot, image_event(bot, url, "f2", kind="file"))
    assert "dán" in reply
    await asyncio.sleep(0.3)  # the stand-in notices the closed connection at its next write
    assert bot.standin.media_sent < 1_000_000
