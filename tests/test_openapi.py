"""The OpenAPI document says what the service does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.engine.reference.models import Reference
from app.engine.validators.ticket import written_pattern

pytestmark = pytest.mark.anyio

# Hardened by its own work; its parameters are its own.
NOT_HERE = ("/v1/mail/",)


async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    spec: dict[str, Any] = (await client.get("/openapi.json")).json()
    return spec


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def schemas_within(schema: Any, spec: dict[str, Any], seen: set[str]) -> Iterator[dict[str, Any]]:
    """A schema and every schema inside it, references followed once."""
    if isinstance(schema, list):
        for item in schema:
            yield from schemas_within(item, spec, seen)
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref not in seen:
        seen.add(ref)
        yield from schemas_within(spec["components"]["schemas"][ref.rpartition("/")[2]], spec, seen)
    yield schema
    for value in schema.values():
        yield from schemas_within(value, spec, seen)


def inputs(operation: dict[str, Any]) -> list[Any]:
    """The schemas of what a client sends: parameters and request bodies."""
    found = [p.get("schema") for p in operation.get("parameters", [])]
    for content in operation.get("requestBody", {}).get("content", {}).values():
        found.append(content.get("schema"))
    return found


def unbounded_integer(schema: dict[str, Any]) -> bool:
    keys = set(schema)
    return schema.get("type") == "integer" and not (
        keys & {"minimum", "exclusiveMinimum"} and keys & {"maximum", "exclusiveMaximum"}
    )


async def test_every_integer_a_client_sends_is_bounded(client: httpx.AsyncClient) -> None:
    spec = await document(client)
    unbounded = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(spec)
        if not path.startswith(NOT_HERE)
        for schema in schemas_within(inputs(operation), spec, set())
        if unbounded_integer(schema)
    ]
    assert unbounded == []


async def test_errors_are_documented_as_the_problem_details_they_are(
    client: httpx.AsyncClient,
) -> None:
    spec = await document(client)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    errors = {
        f"{method.upper()} {path} {status}": response.get("content")
        for path, method, operation in operations(spec)
        for status, response in operation["responses"].items()
        if int(status) >= 400 and path != "/readyz"
    }
    assert errors and all(content == problem for content in errors.values()), errors
    assert "HTTPValidationError" not in spec["components"]["schemas"]


async def test_a_422_is_served_as_documented(client: httpx.AsyncClient) -> None:
    spec = await document(client)
    documented = spec["paths"]["/v1/check"]["post"]["responses"]["422"]["content"]
    response = await client.post("/v1/check", json={"channel": "fax"})
    assert response.status_code == 422
    assert list(documented) == [response.headers["content-type"]]
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) <= set(response.json())
    assert set(response.json()) <= set(problem["properties"])


async def test_every_operation_taking_a_body_may_be_408_or_413(client: httpx.AsyncClient) -> None:
    spec = await document(client)
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(spec)
        if method == "post" and not {"408", "413"} <= set(operation["responses"])
    ]
    assert missing == []


async def test_a_key_is_optional_where_it_is_and_required_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    paths = (await document(client))["paths"]
    assert paths["/v1/reports"]["post"]["security"] == [{"HTTPBearer": []}, {}]
    assert paths["/v1/reports"]["get"]["security"] == [{"HTTPBearer": []}]
    assert paths["/v1/tickets"]["post"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in paths["/v1/check"]["post"]


async def test_ticket_codes_carry_the_pattern_of_the_reference_format(
    client: httpx.AsyncClient, reference: Reference
) -> None:
    spec = await document(client)
    pattern = written_pattern(reference.ticket)
    body = spec["components"]["schemas"]["TicketIn"]["properties"]["code"]
    [in_path] = spec["paths"]["/v1/tickets/{code}"]["get"]["parameters"]
    assert body["pattern"] == in_path["schema"]["pattern"] == pattern
    assert "x-ticket-code" not in str(spec)
    assert all(re.fullmatch(pattern, example) for example in reference.ticket.examples)
    assert not re.fullmatch(pattern, "0")


async def test_readiness_is_documented_as_served(client: httpx.AsyncClient) -> None:
    spec = await document(client)
    responses = spec["paths"]["/readyz"]["get"]["responses"]
    ref = {"$ref": "#/components/schemas/Readiness"}
    assert responses["503"]["content"]["application/json"]["schema"] == ref
    assert set((await client.get("/readyz")).json()) == {"ready", "checks", "unavailable"}
