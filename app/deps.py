"""Dependencies shared by the routers, as Annotated aliases.

All are `async def`: FastAPI runs a plain `def` dependency in its thread pool, a thread
hop per dependency per request for what is a dictionary look-up.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from app.config import Settings
from app.errors import UnsupportedMediaType
from app.findings import Lang
from app.i18n import negotiate
from app.reference.models import Reference
from app.services import Services


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_reference(request: Request) -> Reference:
    reference: Reference = request.app.state.reference
    return reference


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_lang(accept_language: Annotated[str | None, Header()] = None) -> Lang:
    return negotiate(accept_language)


async def require_json(content_type: Annotated[str | None, Header()] = None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(
            f"Send the body as application/json (got {media or 'no Content-Type'})."
        )


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ReferenceDep = Annotated[Reference, Depends(get_reference)]
ServicesDep = Annotated[Services, Depends(get_services)]
LangDep = Annotated[Lang, Depends(get_lang)]
JsonBody = Depends(require_json)
