"""The OpenAPI document says what the service does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

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
