"""Bodies FastAPI parses as JSON go through pydantic's parser, as /v1/check's body does.

Starlette parses with json.loads, which fails with more than JSONDecodeError: with
UnicodeDecodeError on bytes that are not UTF-8 and RecursionError on deep nesting, which
FastAPI answers with a bare 400 instead of the 422 problem details of any other body that
is not JSON. A router whose routes take a JSON body uses JsonRoute: the body is parsed by
pydantic's parser (UTF-8 only, a fixed nesting limit, the parser of app.http.deps.json_body),
and every way of failing is a JSONDecodeError, so one answer: 422, saying where it broke.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import pydantic_core
from fastapi import Request, Response
from fastapi.routing import APIRoute


class JsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = pydantic_core.from_json(body)
            except ValueError as exc:  # pydantic says where, in words: "... at line 1 column 9"
                doc = body.decode("utf-8", errors="replace")
                raise json.JSONDecodeError(str(exc), doc, 0) from None
        return self._json


class JsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_with_pydantic_json(request: Request) -> Response:
            return await handle(JsonRequest(request.scope, request.receive))

        return handle_with_pydantic_json
