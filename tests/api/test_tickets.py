"""The ticket registry over HTTP, its keys and scopes, and how /v1/check uses it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from app.store.keys import revoke_key
from tests.conftest import KeyMaker, bearer

RECEIVED = "2025-11-21T10:00:00+07:00"
CODE = "SD251120-000123"
GENUINE = {
    "sender": "hotrocntt@vst.gov.vn",
    "ticket_code": CODE,
    "channel": "email",
    "received_at": RECEIVED,
}


@pytest.fixture
async def support(make_key: KeyMaker) -> dict[str, str]:
    return bearer(await make_key("support"))


async def register(client: httpx.AsyncClient, headers: dict[str, str], **body: str) -> None:
    response = await client.post("/v1/tickets", json={"code": CODE, **body}, headers=headers)
    assert response.status_code == 201, response.text


def codes(response: httpx.Response) -> set[str]:
    return {f["code"] for f in response.json()["findings"]}


async def test_register_ticket_is_created_in_canonical_form(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    body = {"code": "sd251120 - 000123", "unit_code": "1234567"}
    response = await client.post("/v1/tickets", json=body, headers=support)
    assert response.status_code == 201
    assert response.headers["location"] == f"/v1/tickets/{CODE}"
    assert response.json()["code"] == CODE
    assert response.json()["unit_code"] == "1234567"


async def test_registering_a_code_twice_is_409(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(client, support)
    response = await client.post("/v1/tickets", json={"code": CODE}, headers=support)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("code", ["SD230229-000123", "SD251120-12345", "ticket please"])
async def test_code_failing_the_ticket_validator_is_422(
    client: httpx.AsyncClient, support: dict[str, str], code: str
) -> None:
    response = await client.post("/v1/tickets", json={"code": code}, headers=support)
    assert response.status_code == 422


@pytest.mark.parametrize("issued_at", ["0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z"])
async def test_issued_at_before_2000_is_422(
    client: httpx.AsyncClient, support: dict[str, str], issued_at: str
) -> None:
    body = {"code": CODE, "issued_at": issued_at}
    response = await client.post("/v1/tickets", json=body, headers=support)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "issued_at: Value error, must lie between 2000-01-01 and 2100-01-01 (UTC)"
    )


async def test_registered_ticket_can_be_read(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(client, support)
    response = await client.get(f"/v1/tickets/{CODE.lower()}", headers=support)
    assert response.status_code == 200
    assert response.json()["revoked"] is False


async def test_unregistered_ticket_is_404(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    assert (await client.get(f"/v1/tickets/{CODE}", headers=support)).status_code == 404


async def test_revoked_ticket_reads_revoked(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(client, support)
    response = await client.post(f"/v1/tickets/{CODE}/revoke", headers=support)
    assert response.status_code == 200
    assert response.json()["revoked"] is True


async def test_registry_without_a_key_is_401_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/tickets", json={"code": CODE})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_registry_with_an_unknown_token_is_401(client: httpx.AsyncClient) -> None:
    headers = bearer("thg_000000000000_" + "x" * 43)
    response = await client.post("/v1/tickets", json={"code": CODE}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_registry_with_a_key_of_another_scope_is_403(
    client: httpx.AsyncClient, make_key: KeyMaker
) -> None:
    headers = bearer(await make_key("gateway", "admin"))
    response = await client.post("/v1/tickets", json={"code": CODE}, headers=headers)
    assert response.status_code == 403


async def test_revoked_key_stops_working_at_once(
    client: httpx.AsyncClient, make_key: KeyMaker, app: FastAPI
) -> None:
    token = await make_key("support", name="desk")
    assert (await client.get(f"/v1/tickets/{CODE}", headers=bearer(token))).status_code == 404
    async with app.state.services.database.write_session() as session:
        await revoke_key(session, "desk")
    assert (await client.get(f"/v1/tickets/{CODE}", headers=bearer(token))).status_code == 401


async def test_registered_ticket_makes_a_genuine_message_authentic(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(client, support)
    response = await client.post("/v1/check", json=GENUINE)
    assert response.json()["verdict"] == "authentic"
    assert "ticket.registered" in codes(response)


async def test_registered_ticket_in_the_message_text_is_found(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(client, support)
    body = {**GENUINE, "ticket_code": None, "message": "Phiếu hỗ trợ sd251120-000123 đã xử lý."}
    response = await client.post("/v1/check", json=body)
    assert "ticket.registered" in codes(response)


async def test_unregistered_ticket_stays_plausible(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/check", json=GENUINE)
    assert response.json()["verdict"] == "plausible"
    assert "ticket.unregistered" not in codes(response)


async def test_revoked_ticket_is_no_proof(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(client, support)
    await client.post(f"/v1/tickets/{CODE}/revoke", headers=support)
    response = await client.post("/v1/check", json=GENUINE)
    assert response.json()["verdict"] != "authentic"
    assert "ticket.registered" not in codes(response)


async def test_ticket_of_another_unit_is_no_proof(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(client, support, unit_code="1111111")
    response = await client.post("/v1/check", json={**GENUINE, "unit_code": "2222222"})
    assert "ticket.registered" not in codes(response)


async def test_ticket_of_the_same_unit_is_proof(
    client: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(client, support, unit_code="1111111")
    response = await client.post("/v1/check", json={**GENUINE, "unit_code": "1111111"})
    assert "ticket.registered" in codes(response)


@pytest.fixture
async def authoritative(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"ticket_registry_authoritative": True}))
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as c:
            yield c


async def test_authoritative_registry_calls_an_unknown_code_impersonation(
    authoritative: httpx.AsyncClient,
) -> None:
    response = await authoritative.post("/v1/check", json=GENUINE)
    assert response.json()["verdict"] == "impersonation"
    assert "ticket.unregistered" in codes(response)


async def test_authoritative_registry_still_proves_a_registered_code(
    authoritative: httpx.AsyncClient, support: dict[str, str]
) -> None:
    await register(authoritative, support)
    response = await authoritative.post("/v1/check", json=GENUINE)
    assert response.json()["verdict"] == "authentic"
