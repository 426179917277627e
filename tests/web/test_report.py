"""'Report this as a scam': stored against the check, confirmed on the page."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi import FastAPI

from app.config import Settings
from app.store.urls import sqlite_path
from tests.conftest import KeyMaker, bearer
from tests.web.conftest import TOKEN, submit

SCAM = "Em bên Kho bạc, anh cài UltraViewer rồi gửi em ID và mật khẩu, gọi em số 0912345678"
CHECK_ID = re.compile(r'name="check_id" value="([0-9a-f-]{36})"')


async def _checked(client: httpx.AsyncClient, message: str = SCAM) -> tuple[str, str]:
    """Check a message; return the check id and the token of its report form."""
    page = await submit(client, message=message)
    check_id, token = CHECK_ID.search(page.text), TOKEN.search(page.text)
    assert check_id and token, "the result should offer the report button"
    return check_id[1], token[1]


async def _report(client: httpx.AsyncClient, check_id: str, token: str) -> httpx.Response:
    return await client.post(
        "/report", data={"csrf_token": token, "check_id": check_id, "note": "gọi lúc 9 giờ"}
    )


async def test_a_reported_scam_flags_its_number_once_an_admin_confirms_it(
    client: httpx.AsyncClient, make_key: KeyMaker
) -> None:
    check_id, token = await _checked(client)
    response = await _report(client, check_id, token)
    assert response.status_code == 200
    assert "Đã ghi nhận báo cáo" in response.text
    assert check_id in response.text
    pending = await submit(client, message=SCAM)
    assert "đã bị báo cáo lừa đảo" not in pending.text
    admin = bearer(await make_key("admin"))
    listed = await client.get("/v1/reports?status=pending", headers=admin)
    await client.post(f"/v1/reports/{listed.json()[0]['id']}/confirm", headers=admin)
    again = await submit(client, message=SCAM)
    assert "đã bị báo cáo lừa đảo 1 lần" in again.text
    assert "gần trùng với tin lừa đảo đã được xác nhận qua 1 báo cáo" in again.text


async def test_reports_past_the_limit_get_a_friendly_429(app: FastAPI) -> None:
    services = app.state.services
    services.settings = services.settings.model_copy(update={"report_rate_limit": 1})
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as client,
    ):
        check_id, token = await _checked(client)
        assert (await _report(client, check_id, token)).status_code == 200
        check_id, token = await _checked(client, f"{SCAM}.")
        refused = await _report(client, check_id, token)
    assert refused.status_code == 429
    assert "quá nhiều báo cáo" in refused.text
    assert int(refused.headers["Retry-After"]) > 0


async def test_a_number_never_reported_is_not_flagged(client: httpx.AsyncClient) -> None:
    response = await submit(client, message=SCAM)
    assert "đã bị báo cáo lừa đảo" not in response.text


async def test_reporting_twice_keeps_one_report_and_says_so(client: httpx.AsyncClient) -> None:
    check_id, token = await _checked(client)
    await _report(client, check_id, token)
    response = await _report(client, check_id, token)
    assert response.status_code == 200
    assert "đã được báo cáo trước đó" in response.text


async def test_an_unknown_check_gets_a_friendly_404(client: httpx.AsyncClient) -> None:
    _, token = await _checked(client)
    response = await _report(client, "00000000-0000-4000-8000-000000000000", token)
    assert response.status_code == 404
    assert "Không tìm thấy lần kiểm tra" in response.text


async def test_a_malformed_check_id_gets_a_friendly_422(client: httpx.AsyncClient) -> None:
    _, token = await _checked(client)
    response = await _report(client, "<script>1</script>", token)
    assert response.status_code == 422
    assert "Báo cáo không hợp lệ" in response.text
    assert "<script>1" not in response.text


async def test_a_database_gone_after_the_check_gets_a_friendly_503(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    check_id, token = await _checked(client)
    database = sqlite_path(settings.database_url)
    assert database is not None
    database.rename(Path(f"{database}.away"))
    response = await _report(client, check_id, token)
    assert response.status_code == 503
    assert "Hiện chưa lưu được báo cáo" in response.text


async def test_without_a_database_the_result_says_why_it_cannot_be_reported(
    app: FastAPI,
) -> None:
    # No lifespan: the database is never opened, so the check is answered but not stored.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as client:
        page = await submit(client, message=SCAM)
    assert "verdict-impersonation" in page.text
    assert 'action="/report"' not in page.text
    assert "chưa được lưu" in page.text
