"""The admin console over HTTP: sign-in, the session cookie, CSRF, and every page's work."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import update

from app.config import Settings
from app.main import create_app
from app.store.database import Database
from app.store.tables import AdminSession, utcnow
from tests.conftest import KeyMaker, bearer
from tests.web.conftest import TOKEN, form_token

SCAM = "Em bên Kho bạc, anh cài UltraViewer rồi gửi em ID và mật khẩu, gọi em số 0912345678"
HOSTILE_NOTE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


async def sign_in(client: httpx.AsyncClient, token: str) -> httpx.Response:
    csrf = await form_token(client, "/admin")
    return await client.post("/admin/login", data={"csrf_token": csrf, "api_key": token})


async def reported_check(client: httpx.AsyncClient, note: str = "gọi lúc 9 giờ") -> int:
    checked = await client.post("/v1/check", json={"message": SCAM})
    made = await client.post("/v1/reports", json={"check_id": checked.json()["id"], "note": note})
    return int(made.json()["id"])


@pytest.fixture
async def admin_token(make_key: KeyMaker) -> str:
    return await make_key("admin", name="ops")


async def test_the_console_asks_to_sign_in_with_one_password_field(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/admin")
    assert page.status_code == 200
    assert page.text.count('type="password"') == 1
    assert (await client.get("/admin/reports")).status_code == 303


async def test_an_admin_key_signs_in_with_a_strict_cookie(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    response = await sign_in(client, admin_token)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/reports")
    cookie = next(c for c in response.headers.get_list("set-cookie") if "thatgia_admin=" in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert "Secure" not in cookie  # plain HTTP here; over HTTPS it is Secure
    page = await client.get("/admin/reports")
    assert page.status_code == 200
    assert "Báo cáo" in page.text


async def test_over_https_the_cookie_is_secure(settings: Settings, admin_token: str) -> None:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="https://thatgia.test") as client,
    ):
        response = await sign_in(client, admin_token)
    cookie = next(c for c in response.headers.get_list("set-cookie") if "thatgia_admin=" in c)
    assert "Secure" in cookie


@pytest.mark.parametrize("scopes", [("support",), ("gateway", "support")])
async def test_a_key_without_the_admin_scope_is_refused(
    client: httpx.AsyncClient, make_key: KeyMaker, scopes: tuple[str, ...]
) -> None:
    response = await sign_in(client, await make_key(*scopes))
    assert response.status_code == 401
    assert "không có quyền admin" in response.text
    assert (await client.get("/admin/reports")).status_code == 303


async def test_signing_in_without_the_csrf_token_is_refused(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    await client.get("/admin")
    response = await client.post("/admin/login", data={"api_key": admin_token})
    assert response.status_code == 403
    assert "thatgia_admin" not in response.headers.get("set-cookie", "")


async def test_confirming_through_the_console_counts_and_needs_the_token(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    report_id = await reported_check(client)
    await sign_in(client, admin_token)
    forged = await client.post(f"/admin/reports/{report_id}/confirm", data={})
    assert forged.status_code == 403
    csrf = await form_token(client, "/admin/reports")
    done = await client.post(f"/admin/reports/{report_id}/confirm", data={"csrf_token": csrf})
    assert done.status_code == 303
    admin = bearer(admin_token)
    listed = (await client.get("/v1/reports", headers=admin)).json()
    assert (listed[0]["status"], listed[0]["decided_by"]) == ("confirmed", "ops")
    page = await client.get("/admin/indicators")
    assert "+84912345678" in page.text and f"#{report_id}" in page.text
    csrf = await form_token(client, "/admin/indicators")
    removed = await client.post(
        "/admin/indicators/remove",
        data={"csrf_token": csrf, "kind": "phone", "value": "+84912345678"},
    )
    assert removed.status_code == 303
    assert (await client.get("/v1/indicators", headers=admin)).json() == []


async def test_report_texts_and_notes_are_escaped(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    checked = await client.post("/v1/check", json={"message": f"{SCAM} {HOSTILE_NOTE}"})
    await client.post("/v1/reports", json={"check_id": checked.json()["id"], "note": HOSTILE_NOTE})
    await sign_in(client, admin_token)
    page = await client.get("/admin/reports")
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_key_is_created_with_its_token_shown_once_then_revoked(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    await sign_in(client, admin_token)
    csrf = await form_token(client, "/admin/keys")
    made = await client.post(
        "/admin/keys", data={"csrf_token": csrf, "name": "mx2", "scope": ["gateway"]}
    )
    assert made.status_code == 200
    token = re.search(r'id="new-token">([^<]+)<', made.text)
    assert token
    listed = await client.get("/admin/keys")
    assert token[1] not in listed.text and "mx2" in listed.text
    key_id = token[1].split("_")[1]
    listed_token = TOKEN.search(listed.text)
    assert listed_token
    revoked = await client.post(
        f"/admin/keys/{key_id}/revoke", data={"csrf_token": listed_token[1]}
    )
    assert revoked.status_code == 303
    mail = await client.post(
        "/v1/mail/check", content=b"From: a@b.c\r\n\r\nhi", headers=bearer(token[1])
    )
    assert mail.status_code == 401


async def test_a_key_needs_a_name_and_a_scope(client: httpx.AsyncClient, admin_token: str) -> None:
    await sign_in(client, admin_token)
    csrf = await form_token(client, "/admin/keys")
    refused = await client.post("/admin/keys", data={"csrf_token": csrf, "name": "x"})
    assert refused.status_code == 422


async def test_revoking_the_admin_key_ends_its_session(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    await sign_in(client, admin_token)
    assert (await client.get("/admin/reports")).status_code == 200
    csrf = await form_token(client, "/admin/keys")
    key_id = admin_token.split("_")[1]
    await client.post(f"/admin/keys/{key_id}/revoke", data={"csrf_token": csrf})
    assert (await client.get("/admin/reports")).status_code == 303


async def test_a_session_idle_too_long_has_ended(
    client: httpx.AsyncClient, admin_token: str, settings: Settings
) -> None:
    await sign_in(client, admin_token)
    database = Database(settings)
    try:
        async with database.write_session() as session:
            long_ago = utcnow().replace(year=2020)
            await session.execute(update(AdminSession).values(last_seen_at=long_ago))
            await session.commit()
    finally:
        await database.dispose()
    assert (await client.get("/admin/reports")).status_code == 303


async def test_signing_out_ends_the_session(client: httpx.AsyncClient, admin_token: str) -> None:
    await sign_in(client, admin_token)
    cookie = client.cookies.get("thatgia_admin", path="/admin")
    csrf = await form_token(client, "/admin/reports")
    out = await client.post("/admin/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    client.cookies.set("thatgia_admin", cookie or "", path="/admin")  # a copy kept is no use
    assert (await client.get("/admin/reports")).status_code == 303


@pytest.mark.parametrize(
    "path",
    [
        "/admin/reports",
        "/admin/campaigns",
        "/admin/indicators",
        "/admin/activity",
        "/admin/zalo",
        "/admin/keys",
    ],
)
async def test_every_page_answers_in_both_languages(
    client: httpx.AsyncClient, admin_token: str, path: str
) -> None:
    await reported_check(client)
    await sign_in(client, admin_token)
    vietnamese = await client.get(path)
    english = await client.get(f"{path}?lang=en")
    assert vietnamese.status_code == english.status_code == 200
    assert '<html lang="vi">' in vietnamese.text and '<html lang="en">' in english.text
    assert "Content-Security-Policy" in vietnamese.headers


async def test_activity_draws_its_numbers_and_lists_them(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    await reported_check(client)
    await client.post("/v1/check", json={"message": "Xin chào"})
    await sign_in(client, admin_token)
    page = await client.get("/admin/activity")
    assert page.text.count("<svg") == 2
    assert 'class="bar bar-impersonation"' in page.text
    assert 'class="bar bar-pending"' in page.text


async def test_campaigns_list_what_their_reports_share(
    client: httpx.AsyncClient, admin_token: str
) -> None:
    admin = bearer(admin_token)
    for _ in range(2):
        report_id = await reported_check(client)
        await client.post(f"/v1/reports/{report_id}/confirm", headers=admin)
    await sign_in(client, admin_token)
    page = await client.get("/admin/campaigns")
    assert "· 2 báo cáo" in page.text
    assert "+84912345678" in page.text
