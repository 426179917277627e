"""Domain errors, each rendered as RFC 9457 problem details by one handler; the store's
refusals (app.store.errors) are translated to them here, at the edge."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.store import errors as store

log = logging.getLogger("thatgia")
PROBLEM = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(description="Where: a field of the body, or a parameter.")
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = Field(description="What went wrong, for a person to read.")
    instance: str = Field(description="The path of the request.")
    errors: list[FieldProblem] | None = Field(
        None, description="422 for an invalid body or parameters: what is wrong, by field."
    )


class AppError(Exception):
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}


class Unauthorized(AppError):
    status, title = 401, "Unauthorized"


class Forbidden(AppError):
    status, title = 403, "Forbidden"


class NotFound(AppError):
    status, title = 404, "Not found"


class Conflict(AppError):
    status, title = 409, "Conflict"


class PayloadTooLarge(AppError):
    status, title = 413, "Payload too large"


class UnsupportedMediaType(AppError):
    status, title = 415, "Unsupported media type"


class Unprocessable(AppError):
    status, title = 422, "Unprocessable content"


class TooManyRequests(AppError):
    status, title = 429, "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class ServiceUnavailable(AppError):
    status, title = 503, "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 30) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


def from_store(exc: store.StoreError) -> AppError | None:
    """The problem a refusal of the store is for a client of the API (None: it has none)."""
    match exc:
        case store.NotFound():
            return NotFound(exc.detail)
        case store.Conflict():
            return Conflict(exc.detail)
        case store.Invalid():
            return Unprocessable(exc.detail)
        case store.RateLimited():
            return TooManyRequests(exc.detail, retry_after=exc.retry_after)
        case store.Unavailable():
            return ServiceUnavailable(exc.detail, retry_after=exc.retry_after)
    return None


def problem(
    status: int,
    title: str,
    detail: str,
    request: Request,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _json_error(error: dict[str, Any]) -> str:
    """Where the JSON broke: pydantic says it in words, FastAPI's own parser by position."""
    said = error.get("ctx", {}).get("error")
    if said:
        return str(said)
    where = error["loc"][-1] if len(error["loc"]) > 1 else "?"
    return f"near byte {where}"


def _clean(errors: list[Any]) -> list[dict[str, str]]:
    cleaned = []
    for error in errors:
        if error.get("type") == "json_invalid":
            cleaned.append({"field": "body", "message": f"not valid JSON ({_json_error(error)})"})
        else:
            cleaned.append({"field": _location(tuple(error["loc"])), "message": str(error["msg"])})
    return cleaned


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem(exc.status, exc.title, exc.detail, request, exc.headers, **exc.extra)


async def _store_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, store.StoreError)
    error = from_store(exc)
    if error is None:  # a refusal added to the store and not here: a bug, logged as one
        return await _unexpected(request, exc)
    return await _app_error(request, error)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean(list(exc.errors()))
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem(422, "Unprocessable content", detail, request, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(exc.status_code, str(exc.detail), str(exc.detail), request, headers)


# The methods a 405's Allow header may name.
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path. Starlette's 405 names those
    of the first route matching the path only, and GET and POST /v1/reports are two; so
    each method is tried on every route, as the router would try it."""
    routes = request.app.router.routes
    return [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Logged with its traceback for operators; the client gets no internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        500,
        "Internal error",
        "The server failed to handle this request; it has been logged.",
        request,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(store.StoreError, _store_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
