"""API keys on requests: `Authorization: Bearer <token>`, checked against the database.

`require_scope("gateway")` is a dependency for routes that need a key with that scope:
401 (with `WWW-Authenticate: Bearer`) without a key, with an unknown or revoked one, or
with an Authorization header that is not `Bearer <token>`; 403 when the key lacks the
scope. Every request looks the key up, so a revocation takes effect at once. Where a key
is optional (OptionalCaller), a header sent must still be a valid key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.requests import HTTPConnection
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.http.deps import get_database
from app.http.errors import Forbidden, Unauthorized
from app.store.database import outage_as_unavailable
from app.store.keys import authenticate


class Scope(StrEnum):
    GATEWAY = "gateway"  # mail gateway plugins: POST /v1/mail/check
    SUPPORT = "support"  # Treasury support staff: the ticket registry
    ADMIN = "admin"  # operators: reports, indicators, the Zalo admin endpoint


@dataclass(frozen=True, slots=True)
class Caller:
    key_id: str
    name: str
    scopes: frozenset[str]


CHALLENGE = {"WWW-Authenticate": 'Bearer realm="thatgia"'}


class StrictBearer(HTTPBearer):
    """The bearer token; None without an Authorization header; 401 for a header that is
    not `Bearer <token>`. FastAPI's own HTTPBearer returns None for `Basic …` or a bare
    `Bearer`, so on a route where a key is optional such a header passed unseen while a
    wrong bearer token was refused: one rule now, wherever a key is read."""

    async def __call__(self, request: HTTPConnection) -> HTTPAuthorizationCredentials | None:
        authorization = request.headers.get("Authorization")
        if authorization is None:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized(
                "The Authorization header must be `Bearer <token>`, with an API key from "
                "`thatgia keys create`.",
                headers=CHALLENGE,
            )
        return HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)


_bearer = StrictBearer(
    auto_error=False,
    scheme_name="HTTPBearer",
    description="An API key from `thatgia keys create`.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def optional_caller(request: Request, credentials: Credentials) -> Caller | None:
    """The caller behind a bearer token; None without one; 401 for a bad one."""
    if credentials is None:
        return None
    token = credentials.credentials
    with outage_as_unavailable():
        key = await get_database(request).read(lambda lookup: authenticate(lookup, token))
    if key is None:
        raise Unauthorized(
            "The API key is unknown or has been revoked.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return Caller(key.key_id, key.name, key.scopes)


def require_scope(scope: Scope | str) -> Callable[[Request, Credentials], Awaitable[Caller]]:
    """A dependency admitting only keys that carry `scope`."""
    wanted = Scope(scope)

    async def caller_with_scope(request: Request, credentials: Credentials) -> Caller:
        caller = await optional_caller(request, credentials)
        if caller is None:
            raise Unauthorized(
                "This endpoint needs an API key: Authorization: Bearer <token>.",
                headers=CHALLENGE,
            )
        if wanted.value not in caller.scopes:
            raise Forbidden(
                f"This API key lacks the scope {wanted.value!r}.",
                headers={
                    "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{wanted}"'
                },
            )
        return caller

    return caller_with_scope


OptionalCaller = Annotated[Caller | None, Depends(optional_caller)]
GatewayKey = Annotated[Caller, Depends(require_scope(Scope.GATEWAY))]
SupportKey = Annotated[Caller, Depends(require_scope(Scope.SUPPORT))]
AdminKey = Annotated[Caller, Depends(require_scope(Scope.ADMIN))]

# On a route where a key is optional (OptionalCaller): FastAPI documents the bearer scheme
# as required; this adds the empty requirement, "or none" (openapi_extra is merged into
# the operation, lists appended).
OPTIONAL_KEY_OPENAPI: dict[str, Any] = {"security": [{}]}

# Declared on every route that takes a key, so the OpenAPI document lists them.
AUTH_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "No API key, or an unknown or revoked one"},
    403: {"description": "The API key lacks the needed scope"},
    503: {"description": "The database is unreachable (Retry-After)"},
}
