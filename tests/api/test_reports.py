"""Reports over HTTP: who may report, what gets counted, and how later checks use it."""

from __future__ import annotations

import anyio
import httpx
import pytest
from fastapi import FastAPI

from app.engine.reference.models import Reference
from tests.conftest import KeyMaker, bearer, live_server

SCAM = "Em bên Kho bạc, anh gọi lại em số 0912 345 678 nhé"
SCAM_PHONE = "+84912345678"


async def check_id(client: httpx.AsyncClient, message: str = SCAM) -> str:
    response = await client.post("/v1/check", json={"message": message, "channel": "zalo"})
    assert response.json()["stored"] is True
    return str(response.json()["id"])


async def report(client: httpx.AsyncClient, message: str = SCAM) -> httpx.Response:
    return await client.post("/v1/reports", json={"check_id": await check_id(client, message)})


async def confirmed(
    client: httpx.AsyncClient, admin: dict[str, str], message: str = SCAM
) -> httpx.Response:
    """Report a check of the message, then confirm the report as an admin."""
    made = await report(client, message)
    assert made.status_code == 201
    return await client.post(f"/v1/reports/{made.json()['id']}/confirm", headers=admin)


@pytest.fixture
async def admin(make_key: KeyMaker) -> dict[str, str]:
    return bearer(await make_key("admin", name="ops"))


def reported(response: httpx.Response) -> dict[str, str]:
    return {
        f["code"]: f["severity"] for f in response.json()["findings"] if "reported" in f["code"]
    }


async def test_report_without_a_key_is_pending_and_counts_nothing(
    client: httpx.AsyncClient,
) -> None:
    response = await report(client)
    assert response.status_code == 201
    body = response.json()
    assert (body["reporter"], body["status"], body["client"]) == (None, "pending", "ip:127.0.0.1")
    assert {"kind": "phone", "value": SCAM_PHONE, "report_count": 0} in body["report_counts"]
    later = await client.post("/v1/check", json={"phone": "0912345678"})
    assert reported(later) == {}


async def test_report_with_a_key_records_its_name(
    client: httpx.AsyncClient, make_key: KeyMaker
) -> None:
    headers = bearer(await make_key("gateway", name="mx1"))
    body = {"check_id": await check_id(client), "note": "gọi điện xin mã PIN"}
    response = await client.post("/v1/reports", json=body, headers=headers)
    assert response.status_code == 201
    assert (response.json()["reporter"], response.json()["note"]) == ("mx1", body["note"])


async def test_report_with_a_bad_key_is_401(client: httpx.AsyncClient) -> None:
    body = {"check_id": await check_id(client)}
    headers = bearer("thg_000000000000_" + "x" * 43)
    assert (await client.post("/v1/reports", json=body, headers=headers)).status_code == 401


async def test_report_of_an_unknown_check_is_404(client: httpx.AsyncClient) -> None:
    body = {"check_id": "00000000-0000-4000-8000-000000000000"}
    assert (await client.post("/v1/reports", json=body)).status_code == 404


async def test_second_report_of_one_check_is_409_and_not_counted(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    body = {"check_id": await check_id(client)}
    made = await client.post("/v1/reports", json=body)
    assert made.status_code == 201
    assert (await client.post("/v1/reports", json=body)).status_code == 409
    await client.post(f"/v1/reports/{made.json()['id']}/confirm", headers=admin)
    later = await client.post("/v1/check", json={"message": SCAM})
    # One report, below the threshold; the text is too short for a fingerprint.
    assert reported(later) == {"reported.phone": "warning"}


async def test_report_with_an_invalid_check_id_is_422(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/reports", json={"check_id": "42"})).status_code == 422


async def test_check_of_a_confirmed_reported_phone_warns(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await confirmed(client, admin)
    response = await client.post("/v1/check", json={"phone": "0912345678"})
    assert reported(response) == {"reported.phone": "warning"}


async def test_check_of_a_phone_reported_up_to_the_threshold_is_danger(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    for _ in range(3):  # the default THATGIA_REPORT_DANGER_THRESHOLD
        await confirmed(client, admin)
    response = await client.post("/v1/check", json={"phone": "0912345678"})
    assert reported(response) == {"reported.phone": "danger"}


async def test_check_of_an_unreported_phone_has_no_report_finding(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await confirmed(client, admin)
    response = await client.post("/v1/check", json={"phone": "0987654321"})
    assert reported(response) == {}


async def test_flood_of_reports_never_smears_official_identifiers(
    client: httpx.AsyncClient, admin: dict[str, str], reference: Reference
) -> None:
    domain = reference.official_sender.domains[0]
    message = (
        f"Liên hệ {reference.switchboard.display}, {reference.official_sender.address}, "
        f"https://{domain}/dvc hoặc 0912345678"
    )
    for _ in range(10):
        assert (await confirmed(client, admin, message)).status_code == 200
    listed = await client.get("/v1/indicators", headers=admin)
    assert [(i["kind"], i["value"]) for i in listed.json()] == [("phone", SCAM_PHONE)]
    genuine = {
        "sender": reference.official_sender.address,
        "phone": reference.switchboard.number,
        "message": f"https://{domain}/dvc",
    }
    assert reported(await client.post("/v1/check", json=genuine)) == {}


async def test_admin_lists_reports_newest_first(
    client: httpx.AsyncClient, make_key: KeyMaker
) -> None:
    first = (await report(client)).json()["id"]
    second = (await report(client)).json()["id"]
    listed = await client.get("/v1/reports", headers=bearer(await make_key("admin")))
    assert [r["id"] for r in listed.json()] == [second, first]


@pytest.mark.parametrize(
    ("offset", "status"), [(2**63, 422), (-1, 422), (2**63 - 1, 200), (10**30, 422)]
)
async def test_listing_offset_is_bounded_to_what_the_database_can_compare(
    client: httpx.AsyncClient, make_key: KeyMaker, offset: int, status: int
) -> None:
    await report(client)
    url = f"/v1/reports?offset={offset}"
    listed = await client.get(url, headers=bearer(await make_key("admin")))
    assert listed.status_code == status
    assert listed.json() == [] if status == 200 else "offset" in listed.json()["detail"]


async def test_admin_lists_indicators_most_reported_first(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await confirmed(client, admin)
    await confirmed(client, admin, "gọi 0987 654 321 hoặc 0912 345 678")
    listed = await client.get("/v1/indicators?kind=phone", headers=admin)
    assert [(i["value"], i["report_count"]) for i in listed.json()] == [
        (SCAM_PHONE, 2),
        ("+84987654321", 1),
    ]


@pytest.mark.parametrize("path", ["/v1/reports", "/v1/indicators"])
async def test_listing_needs_the_admin_scope(
    client: httpx.AsyncClient, make_key: KeyMaker, path: str
) -> None:
    assert (await client.get(path)).status_code == 401
    support = bearer(await make_key("support"))
    assert (await client.get(path, headers=support)).status_code == 403


async def test_fifty_concurrent_confirmations_over_http_count_fifty(
    app: FastAPI, make_key: KeyMaker
) -> None:
    admin = bearer(await make_key("admin"))
    gateway = bearer(await make_key("gateway"))  # with a key: no rate limit, one client
    limits = httpx.Limits(max_connections=50)
    async with live_server(app) as base, httpx.AsyncClient(base_url=base, limits=limits) as http:
        ids = []
        for n in range(50):
            body = {"check_id": await check_id(http, f"{SCAM} (lần {n})")}
            ids.append((await http.post("/v1/reports", json=body, headers=gateway)).json()["id"])
        statuses: list[int] = []

        async def send(report_id: int) -> None:
            url = f"/v1/reports/{report_id}/confirm"
            response = await http.post(url, headers=admin, timeout=30)
            statuses.append(response.status_code)

        async with anyio.create_task_group() as tasks:
            for report_id in ids:
                tasks.start_soon(send, report_id)
        listed = (await http.get("/v1/indicators?kind=phone", headers=admin)).json()
    assert statuses == [200] * 50
    assert [(i["value"], i["report_count"]) for i in listed] == [(SCAM_PHONE, 50)]
