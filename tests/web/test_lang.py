"""Vietnamese by default; English by the visible switch or the browser's preference."""

from __future__ import annotations

import html
import re

import httpx

from app.engine.i18n import catalogue
from tests.web.conftest import form_token

SCAM = "Em bên Kho bạc, anh cài UltraViewer rồi gửi em ID và mật khẩu nhé"


async def test_vietnamese_by_default(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert '<html lang="vi">' in page
    assert "Kiểm tra một tin nhắn" in page
    assert 'href="/?lang=en"' in page  # the switch, visible, to English


async def test_accept_language_english_gives_english(client: httpx.AsyncClient) -> None:
    page = (await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})).text
    assert '<html lang="en">' in page
    assert "Check a message" in page
    assert 'href="/?lang=vi"' in page


async def test_accept_language_vietnamese_first_stays_vietnamese(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/", headers={"Accept-Language": "vi,en;q=0.8"})).text
    assert '<html lang="vi">' in page


async def test_the_switch_is_remembered_over_the_browser_preference(
    client: httpx.AsyncClient,
) -> None:
    switched = await client.get("/?lang=en", headers={"Accept-Language": "vi"})
    assert '<html lang="en">' in switched.text
    assert "thatgia_lang=en" in switched.headers["set-cookie"]
    later = await client.get("/", headers={"Accept-Language": "vi"})
    assert '<html lang="en">' in later.text
    back = await client.get("/?lang=vi")
    assert '<html lang="vi">' in back.text


async def test_an_unknown_language_is_ignored(client: httpx.AsyncClient) -> None:
    response = await client.get("/?lang=xx")
    assert '<html lang="vi">' in response.text
    assert "thatgia_lang" not in response.headers.get("set-cookie", "")


async def test_the_result_comes_in_the_language_of_the_page_it_was_sent_from(
    client: httpx.AsyncClient,
) -> None:
    token = await form_token(client)
    response = await client.post(
        "/check", data={"csrf_token": token, "message": SCAM, "lang": "en"}
    )
    assert '<html lang="en">' in response.text
    assert "IMPERSONATION" in response.text
    assert "What to do" in response.text


async def test_the_result_is_vietnamese_from_a_vietnamese_page(client: httpx.AsyncClient) -> None:
    token = await form_token(client)
    response = await client.post(
        "/check", data={"csrf_token": token, "message": SCAM, "lang": "vi"}
    )
    assert "MẠO DANH" in response.text
    assert "Nên làm gì" in response.text


def test_every_page_text_exists_in_both_languages() -> None:
    for key, entry in catalogue()["ui"].items():
        assert set(entry) == {"vi", "en"}, key
        assert entry["vi"].strip() and entry["en"].strip(), key


async def test_switching_language_on_a_result_checks_the_same_message_again(
    client: httpx.AsyncClient,
) -> None:
    token = await form_token(client)
    fields = {"csrf_token": token, "message": SCAM, "channel": "zalo", "lang": "vi"}
    first = await client.post("/check", data=fields)
    assert "MẠO DANH" in first.text
    assert 'href="/?lang=en"' not in first.text  # a link would lose the message
    # The switch sends the check form, whose fields are on the page once, to ?lang=en.
    switch = re.search(r'<button type="submit" form="([^"]+)" formaction="([^"]+)"', first.text)
    assert switch is not None
    assert switch[1] == "check-form"
    assert f'<form method="post" action="/check" id="{switch[1]}"' in first.text
    assert html.unescape(switch[2]) == "/check?lang=en"
    second = await client.post(html.unescape(switch[2]), data=fields)
    assert '<html lang="en">' in second.text
    assert "IMPERSONATION" in second.text
    assert "thatgia_lang=en" in second.headers["set-cookie"]  # remembered, as the link is


async def test_the_message_is_on_a_result_page_twice_not_three_times(
    client: httpx.AsyncClient,
) -> None:
    token = await form_token(client)
    message = "Anh ơi gửi em mật khẩu nhé, " + "x" * 5_000
    page = await client.post("/check", data={"csrf_token": token, "message": message})
    assert page.text.count("x" * 5_000) == 2  # marked in the result, and back in the box


async def test_the_form_page_without_a_result_keeps_the_plain_link(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/")).text
    assert 'formaction="/check?lang=' not in page
