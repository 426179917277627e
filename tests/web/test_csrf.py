"""Every POST form carries a signed token; a post without a valid one changes nothing."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from app.config import Settings
from app.main import create_app
from app.web import csrf
from tests.web.conftest import TOKEN, form_token

SCAM = "Em bên Kho bạc, anh cài UltraViewer rồi gửi em ID và mật khẩu nhé"
KEY = b"k" * 32


def test_a_token_issued_for_a_cookie_is_valid_for_that_cookie() -> None:
    token = csrf.issue_token(KEY, "cookie-a", now=1_000_000)
    assert csrf.token_is_valid(KEY, "cookie-a", token, now=1_000_100)


def test_a_token_is_refused_for_another_cookie() -> None:
    token = csrf.issue_token(KEY, "cookie-a", now=1_000_000)
    assert not csrf.token_is_valid(KEY, "cookie-b", token, now=1_000_100)


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = csrf.issue_token(b"x" * 32, "cookie-a", now=1_000_000)
    assert not csrf.token_is_valid(KEY, "cookie-a", token, now=1_000_100)


def test_an_expired_token_is_refused() -> None:
    token = csrf.issue_token(KEY, "cookie-a", now=1_000_000)
    later = 1_000_000 + csrf.TOKEN_TTL_SECONDS + 1
    assert not csrf.token_is_valid(KEY, "cookie-a", token, now=later)


def test_a_token_with_a_changed_time_is_refused() -> None:
    token = csrf.issue_token(KEY, "cookie-a", now=1_000_000)
    forged = "1000500" + token[len("1000000") :]
    assert not csrf.token_is_valid(KEY, "cookie-a", forged, now=1_000_600)


def test_missing_token_or_cookie_is_refused() -> None:
    token = csrf.issue_token(KEY, "cookie-a")
    assert not csrf.token_is_valid(KEY, None, token)
    assert not csrf.token_is_valid(KEY, "cookie-a", None)
    assert not csrf.token_is_valid(KEY, "cookie-a", "garbage")


async def test_post_without_token_gets_403_and_a_friendly_page_with_the_text_kept(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/")  # the cookie alone is not enough
    response = await client.post("/check", data={"message": SCAM})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Biểu mẫu đã hết hạn" in response.text
    assert SCAM in response.text  # still in the box
    assert "verdict-impersonation" not in response.text  # nothing was checked


async def test_post_with_a_valid_token_is_checked(client: httpx.AsyncClient) -> None:
    token = await form_token(client)
    response = await client.post("/check", data={"csrf_token": token, "message": SCAM})
    assert response.status_code == 200
    assert "verdict-impersonation" in response.text


async def test_token_from_another_browser_is_refused(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as victim,
        httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as attacker,
    ):
        stolen = await form_token(attacker)
        await victim.get("/")
        response = await victim.post("/check", data={"csrf_token": stolen, "message": SCAM})
    assert response.status_code == 403


async def test_a_refused_post_gives_a_token_that_works_on_the_next_try(
    client: httpx.AsyncClient,
) -> None:
    refused = await client.post("/check", data={"message": SCAM})  # no cookie yet either
    assert refused.status_code == 403
    retry_token = TOKEN.search(refused.text)
    assert retry_token
    again = await client.post("/check", data={"csrf_token": retry_token[1], "message": SCAM})
    assert again.status_code == 200


async def test_report_without_token_gets_403_and_a_friendly_page(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/")
    response = await client.post(
        "/report", data={"check_id": "00000000-0000-4000-8000-000000000000"}
    )
    assert response.status_code == 403
    assert "chưa ghi nhận" in response.text


async def _token_accepted_across(app_a: FastAPI, app_b: FastAPI) -> bool:
    """A form served by one process and posted to another, as behind a load balancer."""
    base = "http://thatgia.test"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_a), base_url=base) as a:
        token = await form_token(a)
        cookies = a.cookies
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app_b), base_url=base, cookies=cookies
    ) as b:
        response = await b.post("/check", data={"csrf_token": token, "message": SCAM})
    return response.status_code == 200


async def test_replicas_sharing_the_secret_key_accept_each_others_tokens(
    settings: Settings,
) -> None:
    shared = settings.model_copy(update={"secret_key": SecretStr("shared-secret")})
    assert await _token_accepted_across(create_app(shared), create_app(shared))


async def test_without_a_secret_key_each_process_signs_with_its_own_random_key(
    settings: Settings,
) -> None:
    assert not await _token_accepted_across(create_app(settings), create_app(settings))
