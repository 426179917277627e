"""Errors the framework raises are problem details that say the truth too."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/v1/reports", "GET, POST"),  # two routes share the path
        ("DELETE", "/v1/reports", "GET, POST"),
        ("GET", "/v1/check", "POST"),
        ("PUT", "/v1/tickets/SD251120-000123", "GET"),
        ("GET", "/v1/tickets/SD251120-000123/revoke", "POST"),
        ("POST", "/healthz", "GET"),
        ("POST", "/openapi.json", "GET, HEAD"),
    ],
)
async def test_405_names_every_method_the_path_answers(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"] == "application/problem+json"
