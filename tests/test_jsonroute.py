"""A body that is not JSON gets one answer on every endpoint: 422 problem details."""

from __future__ import annotations

import httpx
import pytest
from fastapi import params
from fastapi.routing import APIRoute

from app.http.jsonroute import JsonRoute
from app.main import ROUTERS
from tests.conftest import KeyMaker, bearer

pytestmark = pytest.mark.anyio

NOT_JSON = {
    "not UTF-8": (b'{"check_id": "\xff"}', "invalid unicode code point at line 1 column 15"),
    "nested 5,000 deep": (b"[" * 5000 + b"]" * 5000, "recursion limit exceeded"),
    "cut short": (b'{"check_id": ', "EOF while parsing a value at line 1 column 13"),
}


@pytest.mark.parametrize("path", ["/v1/check", "/v1/reports", "/v1/tickets"])
@pytest.mark.parametrize("case", list(NOT_JSON))
async def test_body_that_is_not_json_is_422_problem_details(
    client: httpx.AsyncClient, make_key: KeyMaker, path: str, case: str
) -> None:
    body, where = NOT_JSON[case]
    headers = {"content-type": "application/json", **bearer(await make_key("support"))}
    response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert detail.startswith("body: not valid JSON (") and where in detail


def test_every_route_with_a_json_body_parses_it_with_pydantic() -> None:
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or route.body_field is None:
                continue
            if not isinstance(route.body_field.field_info, params.Form):
                assert isinstance(route, JsonRoute), f"{route.path} parses with json.loads"
