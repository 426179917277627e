"""Moderation of reports: pending until an admin or a consensus of clients confirms; the
rate limit on reports without a key; campaigns caught after confirmation, not before."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from tests.api.test_reports import SCAM, SCAM_PHONE, check_id, reported
from tests.conftest import KeyMaker, bearer

CAMPAIGN = (
    "Kính gửi quý đơn vị. Kho bạc Nhà nước đang nâng cấp hệ thống Dịch vụ công trực tuyến "
    "lên phiên bản mới. Để không bị gián đoạn thanh toán lương tháng này, kế toán vui lòng "
    "truy cập https://kbnn-capnhat.com/dvc và đăng nhập lại tài khoản trước 17h hôm nay. "
    "Mọi thắc mắc liên hệ cán bộ Trần Văn Tuấn qua số 0912 345 678."
)
VARIANT = (
    "Chao anh chi. De khong bi gian doan thanh toan luong thang nay, ke toan vui long "
    "truy cap http://dvc-kbnn.net/login va dang nhap lai tai khoan truoc 15h hom nay. "
    "Kho bac Nha nuoc dang nang cap he thong Dich vu cong truc tuyen len phien ban moi. "
    "Moi thac mac lien he can bo Nguyen Thi Lan qua so 0987 111 222."
)
WARNING = (
    "Cảnh báo: thời gian gần đây kẻ gian mạo danh Kho bạc Nhà nước gửi tin nhắn nói đang "
    "nâng cấp hệ thống Dịch vụ công, đề nghị kế toán truy cập đường dẫn lạ để đăng nhập lại. "
    "Kho bạc không bao giờ gửi đường dẫn yêu cầu đăng nhập. Khi cần hỗ trợ, hãy gọi tổng đài "
    "024 6276 4300 hoặc gửi thư tới hotrocntt@vst.gov.vn."
)


@pytest.fixture
def make_client(
    settings: Settings,
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """A client of an app with some settings changed."""

    @asynccontextmanager
    async def make(**changes: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings.model_copy(update=changes))
        transport = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as c:
                yield c

    return make


ClientMaker = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
async def admin(make_key: KeyMaker) -> dict[str, str]:
    return bearer(await make_key("admin", name="ops"))


async def report_from(
    client: httpx.AsyncClient, address: str, message: str = SCAM
) -> httpx.Response:
    body = {"check_id": await check_id(client, message)}
    return await client.post("/v1/reports", json=body, headers={"X-Real-IP": address})


async def test_confirmed_report_counts_and_rejecting_it_takes_the_count_back(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    made = (await client.post("/v1/reports", json={"check_id": await check_id(client)})).json()
    done = await client.post(f"/v1/reports/{made['id']}/confirm", headers=admin)
    assert (done.status_code, done.json()["status"], done.json()["decided_by"]) == (
        200,
        "confirmed",
        "ops",
    )
    assert {"kind": "phone", "value": SCAM_PHONE, "report_count": 1} in done.json()["report_counts"]
    again = await client.post(f"/v1/reports/{made['id']}/confirm", headers=admin)
    assert again.json()["report_counts"] == done.json()["report_counts"]  # counted once
    undone = await client.post(f"/v1/reports/{made['id']}/reject", headers=admin)
    assert undone.json()["status"] == "rejected"
    assert await client.get("/v1/indicators", headers=admin) is not None
    assert (await client.get("/v1/indicators", headers=admin)).json() == []
    later = await client.post("/v1/check", json={"message": SCAM})
    assert reported(later) == {}


async def test_rejecting_a_pending_report_counts_nothing(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    made = (await client.post("/v1/reports", json={"check_id": await check_id(client)})).json()
    undone = await client.post(f"/v1/reports/{made['id']}/reject", headers=admin)
    assert undone.json()["status"] == "rejected"
    assert (await client.get("/v1/indicators", headers=admin)).json() == []


async def test_pending_reports_are_listed_by_status_and_first(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    first = (await client.post("/v1/reports", json={"check_id": await check_id(client)})).json()
    second = (await client.post("/v1/reports", json={"check_id": await check_id(client)})).json()
    await client.post(f"/v1/reports/{second['id']}/confirm", headers=admin)
    pending = (await client.get("/v1/reports?status=pending", headers=admin)).json()
    assert [r["id"] for r in pending] == [first["id"]]
    everything = (await client.get("/v1/reports", headers=admin)).json()
    assert [r["id"] for r in everything] == [first["id"], second["id"]]
    bad = await client.get("/v1/reports?status=maybe", headers=admin)
    assert bad.status_code == 422


@pytest.mark.parametrize("action", ["confirm", "reject"])
async def test_deciding_needs_the_admin_scope_and_a_known_report(
    client: httpx.AsyncClient, make_key: KeyMaker, admin: dict[str, str], action: str
) -> None:
    made = (await client.post("/v1/reports", json={"check_id": await check_id(client)})).json()
    url = f"/v1/reports/{made['id']}/{action}"
    assert (await client.post(url)).status_code == 401
    support = bearer(await make_key("support"))
    assert (await client.post(url, headers=support)).status_code == 403
    missing = await client.post(f"/v1/reports/999999/{action}", headers=admin)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    # Past what the INTEGER column holds: refused as such, on PostgreSQL too (never a 500).
    beyond = await client.post(f"/v1/reports/{2**31}/{action}", headers=admin)
    assert beyond.status_code == 422


async def test_three_different_clients_confirm_a_report_without_an_admin(
    make_client: ClientMaker, admin: dict[str, str]
) -> None:
    async with make_client(trusted_proxy_header="X-Real-IP") as client:
        first = await report_from(client, "198.51.100.1")
        second = await report_from(client, "198.51.100.2", f"{SCAM}!")
        assert (first.json()["status"], second.json()["status"]) == ("pending", "pending")
        third = await report_from(client, "2001:db8:1:2::7", f"{SCAM}!!")
        assert third.json()["status"] == "confirmed"
        assert third.json()["client"] == "ip:2001:db8:1:2::/64"
        listed = (await client.get("/v1/reports", headers=admin)).json()
        assert {r["status"] for r in listed} == {"confirmed"}
        assert {r["decided_by"] for r in listed} == {"consensus"}
        later = await client.post("/v1/check", json={"phone": "0912345678"})
        assert reported(later) == {"reported.phone": "danger"}


async def test_one_client_reporting_three_times_is_no_consensus(make_client: ClientMaker) -> None:
    async with make_client(trusted_proxy_header="X-Real-IP") as client:
        statuses = [
            (await report_from(client, "198.51.100.9", f"{SCAM}{'!' * n}")).json()["status"]
            for n in range(3)
        ]
        assert statuses == ["pending"] * 3
        later = await client.post("/v1/check", json={"phone": "0912345678"})
        assert reported(later) == {}


async def test_consensus_can_be_switched_off(make_client: ClientMaker) -> None:
    async with make_client(
        trusted_proxy_header="X-Real-IP", report_auto_confirm_clients=0
    ) as client:
        for n in range(4):
            made = await report_from(client, f"198.51.100.{n + 1}", f"{SCAM}{'!' * n}")
            assert made.json()["status"] == "pending"


async def test_anonymous_reports_past_the_limit_get_429_with_retry_after(
    make_client: ClientMaker, make_key: KeyMaker
) -> None:
    async with make_client(report_rate_limit=2, report_auto_confirm_clients=0) as client:
        for _ in range(2):
            assert (await report_from(client, "ignored")).status_code == 201
        refused = await report_from(client, "ignored")
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
        keyed = {"check_id": await check_id(client)}
        gateway = bearer(await make_key("gateway"))
        assert (await client.post("/v1/reports", json=keyed, headers=gateway)).status_code == 201


async def test_the_limit_goes_by_the_trusted_header_and_only_by_it(
    make_client: ClientMaker,
) -> None:
    async with make_client(
        report_rate_limit=1, report_auto_confirm_clients=0, trusted_proxy_header="X-Real-IP"
    ) as behind_proxy:
        assert (await report_from(behind_proxy, "203.0.113.1")).status_code == 201
        assert (await report_from(behind_proxy, "203.0.113.1")).status_code == 429
        assert (await report_from(behind_proxy, "203.0.113.2")).status_code == 201
    # Without a trusted header configured, a client's own header changes nothing.
    async with make_client(report_rate_limit=1, report_auto_confirm_clients=0) as direct:
        assert (await report_from(direct, "203.0.113.3")).status_code == 201
        assert (await report_from(direct, "203.0.113.4")).status_code == 429


async def test_forwarded_for_is_read_from_its_last_entry(make_client: ClientMaker) -> None:
    async with make_client(
        report_rate_limit=1, report_auto_confirm_clients=0, trusted_proxy_header="X-Forwarded-For"
    ) as client:
        spoofed = {"X-Forwarded-For": "10.0.0.1, 203.0.113.5"}
        body = {"check_id": await check_id(client)}
        made = await client.post("/v1/reports", json=body, headers=spoofed)
        assert made.json()["client"] == "ip:203.0.113.5"
        spoofed = {"X-Forwarded-For": "10.0.0.2, 203.0.113.5"}
        body = {"check_id": await check_id(client)}
        assert (await client.post("/v1/reports", json=body, headers=spoofed)).status_code == 429


async def test_a_campaign_variant_is_caught_after_confirmation_and_not_before(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    made = await client.post("/v1/reports", json={"check_id": await check_id(client, CAMPAIGN)})
    before = await client.post("/v1/check", json={"message": VARIANT})
    assert "reported.text" not in reported(before)
    await client.post(f"/v1/reports/{made.json()['id']}/confirm", headers=admin)
    after = await client.post("/v1/check", json={"message": VARIANT, "channel": "zalo"})
    finding = next(f for f in after.json()["findings"] if f["code"] == "reported.text")
    assert finding["severity"] == "warning"
    assert "1 báo cáo" in finding["message"]
    assert after.json()["verdict"] == "impersonation"
    # A published warning on the same topic is not the campaign.
    warned = await client.post("/v1/check", json={"message": WARNING})
    assert "reported.text" not in reported(warned)
    await client.post(f"/v1/reports/{made.json()['id']}/reject", headers=admin)
    undone = await client.post("/v1/check", json={"message": VARIANT})
    assert "reported.text" not in reported(undone)


async def test_reports_of_one_campaign_add_up_to_danger(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    for message in (CAMPAIGN, VARIANT, CAMPAIGN.replace("Tuấn", "Hùng")):
        made = await client.post("/v1/reports", json={"check_id": await check_id(client, message)})
        await client.post(f"/v1/reports/{made.json()['id']}/confirm", headers=admin)
    listed = (await client.get("/v1/reports", headers=admin)).json()
    assert len({r["campaign_id"] for r in listed}) == 1
    again = await client.post("/v1/check", json={"message": CAMPAIGN.replace("17h", "9h")})
    assert reported(again)["reported.text"] == "danger"


async def test_a_campaign_outlives_its_first_report_and_goes_with_its_last(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    ids = []
    for message in (CAMPAIGN, VARIANT):
        made = await client.post("/v1/reports", json={"check_id": await check_id(client, message)})
        ids.append(made.json()["id"])
        await client.post(f"/v1/reports/{ids[-1]}/confirm", headers=admin)
    await client.post(f"/v1/reports/{ids[0]}/reject", headers=admin)
    probe = CAMPAIGN.replace("Trần Văn Tuấn", "Lê Hoàng Nam")
    left = await client.post("/v1/check", json={"message": probe})
    finding = next(f for f in left.json()["findings"] if f["code"] == "reported.text")
    assert "1 báo cáo" in finding["message"]
    await client.post(f"/v1/reports/{ids[1]}/reject", headers=admin)
    gone = await client.post("/v1/check", json={"message": probe})
    assert "reported.text" not in reported(gone)
    listed = (await client.get("/v1/reports", headers=admin)).json()
    assert {r["campaign_id"] for r in listed} == {None}
