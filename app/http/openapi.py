"""The OpenAPI document: FastAPI's own, made to say what the service does.

- FastAPI lists among its components only the models it parses for a route; a route that
  reads its body with app.http.deps.json_body names its model in `openapi_extra`, and the
  model is added here.
- Errors are documented as they are served, RFC 9457 problem details
  (application/problem+json), not as FastAPI's HTTPValidationError in application/json.
- Any operation that takes a body may be refused before it runs by app.http.limits: 408 when
  the body stops arriving, 413 when it is too large.
- Ticket codes (schemas marked TICKET_CODE) get the pattern of the reference data's format.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.engine.reference.models import Reference
from app.engine.validators.ticket import written_pattern
from app.http.errors import PROBLEM, Problem

# Marks a schema as a ticket code; replaced by the pattern of the reference's format.
TICKET_CODE: dict[str, Any] = {"x-ticket-code": True}
_MARK = "x-ticket-code"
# What FastAPI documents its own 422 with, and a refusal by app.http.limits says.
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")
_BODY_REFUSALS = {
    "408": "The body stopped arriving (THATGIA_BODY_READ_TIMEOUT)",
    "413": "The body is larger than the limit",
}
_TAKES_A_BODY = {"post", "put", "patch", "delete"}


def install_openapi(
    app: FastAPI, reference: Reference, body_models: Sequence[type[BaseModel]]
) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()  # FastAPI keeps it as app.openapi_schema: changed in place
            add_models(document, [*body_models, Problem])
            for method, operation in _operations(document):
                document_errors(method, operation)
            for name in _FASTAPI_ERRORS:
                document["components"]["schemas"].pop(name, None)
            set_ticket_patterns(document, written_pattern(reference.ticket))
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


def add_models(document: dict[str, Any], models: Sequence[type[BaseModel]]) -> None:
    _, defs = models_json_schema(
        [(model, "validation") for model in models],
        ref_template="#/components/schemas/{model}",
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(defs.get("$defs", {}))


def document_errors(method: str, operation: dict[str, Any]) -> None:
    """Error responses as problem details; 408 and 413 on operations taking a body."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if method in _TAKES_A_BODY:
        for status, description in _BODY_REFUSALS.items():
            responses.setdefault(status, {"description": description})
    problem = {PROBLEM: {"schema": {"$ref": f"#/components/schemas/{Problem.__name__}"}}}
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400 and _served_as_problem(response):
            response["content"] = problem


def _served_as_problem(response: dict[str, Any]) -> bool:
    """No body declared (the error handlers answer problem details), or FastAPI's own 422."""
    content = response.get("content")
    if not content:
        return True
    ref = str(content.get("application/json", {}).get("schema", {}).get("$ref", ""))
    return ref.rpartition("/")[2] in _FASTAPI_ERRORS


def set_ticket_patterns(node: Any, pattern: str) -> None:
    """Every schema marked TICKET_CODE gets `pattern` instead of the mark."""
    if isinstance(node, dict):
        if node.pop(_MARK, False):
            node["pattern"] = pattern
        for value in node.values():
            set_ticket_patterns(value, pattern)
    elif isinstance(node, list):
        for item in node:
            set_ticket_patterns(item, pattern)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for item in document.get("paths", {}).values():
        yield from item.items()
