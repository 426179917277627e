"""POST /v1/check over HTTP: answers, languages, and clear refusals of bad input."""

from __future__ import annotations

import uuid

import httpx
import pytest

RECEIVED = "2025-11-21T10:00:00+07:00"
PROBLEM = "application/problem+json"


async def test_official_sender_and_ticket_is_plausible(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/check",
        json={
            "sender": "hotrocntt@vst.gov.vn",
            "ticket_code": "SD251120-000123",
            "received_at": RECEIVED,
            "channel": "email",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "plausible"
    assert {f["code"] for f in body["findings"]} == {"sender.official", "ticket.valid"}
    assert body["id"]


async def test_response_carries_findings_extracted_and_advice(client: httpx.AsyncClient) -> None:
    message = (
        "Em bên KBNN, gọi em 0901 234 567, mã SD251120-000123, "
        "vào bit.ly/kbnn hoặc mail hotrocntt@gmail.com"
    )
    body = (
        await client.post("/v1/check", json={"message": message, "received_at": RECEIVED})
    ).json()
    assert body["verdict"] == "impersonation"
    assert body["extracted"] == {
        "emails": ["hotrocntt@gmail.com"],
        "phones": ["+84901234567"],
        "ticket_codes": ["SD251120-000123"],
        "urls": ["bit.ly/kbnn"],
    }
    mobile = next(f for f in body["findings"] if f["code"] == "phone.mobile")
    assert mobile["field"] == "message"
    assert message[mobile["span"]["start"] : mobile["span"]["end"]] == mobile["evidence"]
    assert mobile["source"].startswith("34/KBKH-KTNN")
    assert any("024 6276 4300" in line for line in body["advice"])
    assert uuid.UUID(body["id"]).version == 7  # time-ordered: the audit index grows at its end


async def test_english_on_accept_language_en(client: httpx.AsyncClient) -> None:
    payload = {"phone": "0246764300", "received_at": RECEIVED}
    vi = (await client.post("/v1/check", json=payload)).json()
    en = (
        await client.post("/v1/check", json=payload, headers={"Accept-Language": "en-US,en;q=0.9"})
    ).json()
    assert vi["verdict"] == en["verdict"] == "impersonation"
    misprint_vi = next(f for f in vi["findings"] if f["code"] == "phone.misprint")
    misprint_en = next(f for f in en["findings"] if f["code"] == "phone.misprint")
    assert "KHÔNG phải số của Kho bạc" in misprint_vi["message"]
    assert "NOT a Treasury number" in misprint_en["message"]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({}, "Nothing to check"),
        ({"message": "   "}, "Nothing to check"),
        ({"channel": "fax"}, "channel"),
        ({"message": "x", "received_at": "yesterday"}, "received_at"),
        ({"message": "x", "received_at": "2025-11-21T10:00:00"}, "time zone"),
        ({"message": 5}, "message"),
        ({"message": "x", "extension": "88a17"}, "extension"),
        ({"message": "x", "colour": "red"}, "colour"),
    ],
)
async def test_bad_claims_get_422_problem_details(
    client: httpx.AsyncClient, payload: dict[str, object], fragment: str
) -> None:
    response = await client.post("/v1/check", json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert fragment in response.json()["detail"]


@pytest.mark.parametrize(
    "received_at",
    [
        "9999-12-31T17:00:00+00:00",  # the year 10000 in Vietnam
        "0001-01-01T00:00:00+14:00",  # the year 0 in UTC
        "1999-12-31T23:59:59+00:00",
        "2000-01-01T06:59:59+07:00",
        "2100-01-01T00:00:00+00:00",
    ],
)
async def test_received_at_outside_2000_to_2099_is_422(
    client: httpx.AsyncClient, received_at: str
) -> None:
    payload = {"message": "mã SD251120-000123", "received_at": received_at}
    response = await client.post("/v1/check", json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == (
        "received_at: Value error, must lie between 2000-01-01 and 2100-01-01 (UTC)"
    )


@pytest.mark.parametrize(
    ("received_at", "codes"),
    [
        ("2000-01-01T00:00:00+00:00", {"ticket.future_date"}),
        ("2099-12-31T23:59:59+00:00", {"ticket.valid", "ticket.stale"}),
    ],
)
async def test_received_at_at_the_edges_of_the_range_is_judged(
    client: httpx.AsyncClient, received_at: str, codes: set[str]
) -> None:
    payload = {"ticket_code": "SD251120-000123", "received_at": received_at}
    response = await client.post("/v1/check", json=payload)
    assert response.status_code == 200
    found = {f["code"] for f in response.json()["findings"] if f["code"].startswith("ticket.")}
    assert found == codes


async def test_claimed_ticket_not_in_the_format_is_judged_not_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/check", json={"ticket_code": "0"})
    assert response.status_code == 200
    [finding] = [f for f in response.json()["findings"] if f["code"].startswith("ticket.")]
    assert (finding["code"], finding["severity"]) == ("ticket.malformed", "danger")


async def test_invalid_json_gets_422_problem_details(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/check", content=b'{"message": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


async def test_wrong_content_type_gets_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/check",
        content=b"message=hello",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM


async def test_message_over_the_limit_gets_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/check", json={"message": "a" * 20_001})
    assert response.status_code == 413
    assert "20000" in response.json()["detail"]


async def test_message_at_the_limit_is_checked(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/check", json={"message": "a " * 10_000})
    assert response.status_code == 200


async def test_body_over_the_byte_limit_is_refused_before_parsing(
    client: httpx.AsyncClient,
) -> None:
    huge = b'{"message": "' + b"a" * 300_000 + b'"}'
    response = await client.post(
        "/v1/check", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_path_is_a_problem_not_html(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["reference"] is True


async def test_openapi_and_metrics_are_served(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    body = spec["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rpartition("/")[2]
    request_schema = spec["components"]["schemas"][name]
    assert {"message", "sender", "ticket_code", "channel"} <= set(request_schema["properties"])
    channel = request_schema["properties"]["channel"]["anyOf"][0]["$ref"].rpartition("/")[2]
    assert "zalo" in spec["components"]["schemas"][channel]["enum"]
    await client.post("/v1/check", json={"message": "x"})
    metrics = (await client.get("/metrics")).text
    assert "thatgia_checks_total" in metrics
