"""Dependencies shared by the routers, as Annotated aliases.

All are `async def`: FastAPI runs a plain `def` dependency in its thread pool, a thread
hop per dependency per request for what is a dictionary look-up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.engine.findings import Lang
from app.engine.i18n import negotiate
from app.engine.reference.models import Reference
from app.http.errors import ServiceUnavailable, UnsupportedMediaType
from app.services import Services
from app.store.database import Database, outage_as_unavailable


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_app_settings(request: Request) -> Settings:
    return (await get_services(request)).settings


async def get_reference(request: Request) -> Reference:
    return (await get_services(request)).reference


async def get_lang(accept_language: Annotated[str | None, Header()] = None) -> Lang:
    return negotiate(accept_language)


async def require_json(content_type: Annotated[str | None, Header()] = None) -> None:
    _must_be_json(content_type)


def _must_be_json(content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(
            f"Send the body as application/json (got {media or 'no Content-Type'})."
        )


@dataclass(frozen=True, slots=True)
class JsonCall:
    services: Services
    lang: Lang


def json_call(request: Request) -> JsonCall:
    """For the busiest endpoints, called by the route itself rather than declared as a
    dependency (FastAPI spends ~15 µs a request resolving each): the JSON check (415
    otherwise), the services and the reader's language.

    With json_body, what POST /v1/check saves against the plain route (a body parameter,
    JsonBody and LangDep; README, Performance): the server's CPU per check is 13-15 %
    higher without them (three alternating wrk runs); counted in-process by callgrind,
    without uvicorn, 2 % (8.56 against 8.38 M instructions). tests/test_json_body.py holds
    the two to the same answers."""
    _must_be_json(request.headers.get("content-type"))
    lang = negotiate(request.headers.get("accept-language"))
    return JsonCall(request.app.state.services, lang)


M = TypeVar("M", bound=BaseModel)


async def json_body(request: Request, model: type[M]) -> M:
    """The body as `model`, parsed straight from its bytes; invalid, a 422 as FastAPI gives
    for a body parameter. On the busiest endpoint that parameter cost ~30 µs a request
    (JSON decoded to Python objects, then validated) against ~10 µs for this (the figure
    both buy: json_call)."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError([_in_body(error) for error in exc.errors()]) from None


def _in_body(error: Any) -> dict[str, Any]:
    return {**error, "loc": ("body", *error["loc"])}


def json_body_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that reads its body with json_body (the
    model itself is listed among the components by app.main)."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


# The headers json_call reads, for the OpenAPI description.
JSON_CALL_HEADERS = [
    {"name": "Content-Type", "in": "header", "required": True,
     "schema": {"type": "string", "enum": ["application/json"]}},
    {"name": "Accept-Language", "in": "header", "required": False,
     "schema": {"type": "string"}, "description": "vi (default) or en"},
]  # fmt: skip


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ReferenceDep = Annotated[Reference, Depends(get_reference)]
ServicesDep = Annotated[Services, Depends(get_services)]
LangDep = Annotated[Lang, Depends(get_lang)]
JsonBody = Depends(require_json)


# The database, and sessions of it, for a route: 503 while it is not open or unreachable.
def get_database(request: Request) -> Database:
    database: Database | None = request.app.state.services.database
    if database is None:
        raise ServiceUnavailable("The database is not open yet.", retry_after=5)
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    with outage_as_unavailable():
        async with get_database(request).session() as session:
            yield session


async def get_write_session(request: Request) -> AsyncIterator[AsyncSession]:
    with outage_as_unavailable():
        async with get_database(request).write_session() as session:
            yield session


async def database_dependency(request: Request) -> Database:
    # async: a plain def dependency would cost a thread-pool hop per request.
    return get_database(request)


DatabaseDep = Annotated[Database, Depends(database_dependency)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
WriteSessionDep = Annotated[AsyncSession, Depends(get_write_session)]
