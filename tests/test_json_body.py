"""json_call and json_body, the fast path of POST /v1/check, answer every request as the
plain FastAPI route would: a body parameter in a JsonRoute router, the JSON check and the
reader's language as dependencies."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.schemas import CheckRequest
from app.http.deps import JsonBody, LangDep, json_body, json_call
from app.http.errors import install_error_handlers
from app.http.jsonroute import JsonRoute

pytestmark = pytest.mark.anyio

fast = APIRouter()
plain = APIRouter(route_class=JsonRoute)


@fast.post("/fast")
async def fast_route(request: Request) -> dict[str, Any]:
    call = json_call(request)
    body = await json_body(request, CheckRequest)
    return {"lang": call.lang, "body": body.model_dump(mode="json")}


@plain.post("/plain", dependencies=[JsonBody])
async def plain_route(body: CheckRequest, lang: LangDep) -> dict[str, Any]:
    return {"lang": lang, "body": body.model_dump(mode="json")}


def _app() -> FastAPI:
    application = FastAPI()
    application.state.services = None  # json_call hands it on; these routes do not use it
    install_error_handlers(application)
    application.include_router(fast)
    application.include_router(plain)
    return application


@pytest.fixture
async def both() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


FIELDS = ["message", "sender", "phone", "extension", "ticket_code", "channel", "unit_code"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=30),
    st.sampled_from(["zalo", "email", "SD251120-000123", "2025-11-20T10:00:00+07:00", " "]),
    st.lists(st.integers(), max_size=2),
)
OBJECTS = st.dictionaries(st.sampled_from([*FIELDS, "received_at", "extra"]), VALUES, max_size=4)
BODIES = st.one_of(
    OBJECTS.map(lambda o: json.dumps(o).encode()),
    st.binary(max_size=40),
    st.sampled_from([b"", b"[]", b"null", b'{"message": "\xff"}', b"{" * 3, b'"x"']),
)
TYPES = st.sampled_from(["application/json", "application/problem+json", "text/plain", None])
LANGS = st.sampled_from([None, "en", "vi", "en-US,en;q=0.9", "fr", "*"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, content_type=TYPES, lang=LANGS)
async def test_the_fast_path_answers_as_the_plain_route(
    both: httpx.AsyncClient, body: bytes, content_type: str | None, lang: str | None
) -> None:
    headers = {k: v for k, v in (("content-type", content_type), ("accept-language", lang)) if v}
    answers = [await both.post(path, content=body, headers=headers) for path in ("/fast", "/plain")]
    fast_answer, plain_answer = (answer.json() for answer in answers)
    assert answers[0].status_code == answers[1].status_code
    if answers[0].status_code == 200:
        assert fast_answer == plain_answer
        return
    # The same fields are named; pydantic words some messages differently when it reads
    # JSON than when it reads the objects decoded from it, and FastAPI takes an empty body
    # for a missing one where the fast path says it is not JSON.
    assert _fields(fast_answer) == _fields(plain_answer)
    assert fast_answer["title"] == plain_answer["title"]


def _fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem.get("errors", [])]
