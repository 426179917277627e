"""Security headers on every page, and no asset from another origin."""

from __future__ import annotations

import re

import httpx
from starlette.types import Receive, Scope, Send

from app.web.headers import SecurityHeadersMiddleware
from tests.web.conftest import submit

REQUIRED_DIRECTIVES = [
    "default-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
]


def _assert_strict_policy(response: httpx.Response) -> None:
    policy = response.headers["content-security-policy"]
    for directive in REQUIRED_DIRECTIVES:
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert not re.search(r"https?:|\*", policy), "no other origin may be allowed"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_form_page_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    _assert_strict_policy(response)
    assert response.headers["cache-control"] == "no-store"


async def test_result_and_refusal_pages_carry_the_security_headers(
    client: httpx.AsyncClient,
) -> None:
    _assert_strict_policy(await submit(client, message="Anh gửi em mã PIN nhé"))
    _assert_strict_policy(await client.post("/check", data={"message": "no token"}))


async def test_json_responses_carry_them_too(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.headers["content-type"] == "application/json"
    _assert_strict_policy(response)


async def test_api_docs_keep_their_cdn_viewer_working(client: httpx.AsyncClient) -> None:
    # Swagger UI loads from a CDN with inline script: the strict policy would blank it.
    response = await client.get("/docs")
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_asset_of_the_page_comes_from_the_app(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assets = re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', page)
    assert assets, "the page should load its stylesheet and script"
    for url in assets:
        assert url.startswith("/static/"), url
        served = await client.get(url)
        assert served.status_code == 200, url
        assert served.headers["x-content-type-options"] == "nosniff"
    assert "<style" not in page and " style=" not in page  # the policy would block them
    assert not re.search(r"<script>(?!</script>)", page), "no inline script"


async def test_static_files_have_their_real_types(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/style.css")
    js = await client.get("/static/app.js")
    assert css.headers["content-type"].startswith("text/css")
    assert "javascript" in js.headers["content-type"]


async def test_only_the_listed_static_files_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/nothere.css")).status_code == 404
    assert (await client.get("/static/..%2Fmain.py")).status_code == 404
    assert (await client.get("/static/../main.py")).status_code == 404


async def test_a_security_header_a_response_sets_itself_is_replaced_not_doubled() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"x-frame-options", b"SAMEORIGIN"), (b"content-type", b"text/plain")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    transport = httpx.ASGITransport(app=SecurityHeadersMiddleware(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as client:
        response = await client.get("/")
    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers["content-type"] == "text/plain"
    _assert_strict_policy(response)
