"""The store's refusals reach an API client as the problem details the HTTP layer has always
given for them: same status, title, detail and Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.http.errors import install_error_handlers
from app.store import errors as store

pytestmark = pytest.mark.anyio


class Unheard(store.StoreError):
    """A refusal the HTTP layer has no translation for."""


REFUSALS: dict[str, store.StoreError] = {
    "missing": store.NotFound("No report 7."),
    "duplicate": store.Conflict("The ticket SD251120-000123 is already registered."),
    "invalid": store.Invalid("'x' is not a ticket code."),
    "limited": store.RateLimited("Try again later.", retry_after=42),
    "down": store.Unavailable("The database is unreachable.", retry_after=15),
    "unheard": Unheard("Nobody translated this."),
}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/{name}")
    async def refuse(name: str) -> None:
        raise REFUSALS[name]

    # The unheard refusal is answered 500 by a handler, not raised through the transport.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://thatgia.test") as client:
        yield client


@pytest.mark.parametrize(
    ("name", "status", "title", "retry_after"),
    [
        ("missing", 404, "Not found", None),
        ("duplicate", 409, "Conflict", None),
        ("invalid", 422, "Unprocessable content", None),
        ("limited", 429, "Too many requests", "42"),
        ("down", 503, "Service unavailable", "15"),
    ],
)
async def test_each_refusal_is_the_problem_it_always_was(
    client: httpx.AsyncClient, name: str, status: int, title: str, retry_after: str | None
) -> None:
    response = await client.get(f"/{name}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers.get("retry-after") == retry_after
    assert response.json() == {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": REFUSALS[name].detail,
        "instance": f"/{name}",
    }


async def test_a_refusal_without_a_translation_is_a_logged_internal_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/unheard")
    assert response.status_code == 500
    assert response.json()["title"] == "Internal error"
    assert "Nobody translated" not in response.text
