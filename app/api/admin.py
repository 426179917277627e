"""The admin console at /admin (HTML pages, not API): sign in with an admin API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from app.api.schemas import ROW_ID_MAX
from app.http.deps import ServicesDep
from app.store.tables import ReportStatus
from app.web import admin

router = APIRouter(prefix="/admin", include_in_schema=False)
ReportId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]  # an INTEGER column
KeyId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("")
async def home(request: Request, services: ServicesDep) -> Response:
    """The sign-in form, or the reports for an admin already signed in."""
    if await admin.current_admin(request, services) is not None:
        return RedirectResponse("/admin/reports", status_code=303)
    return admin.login_page(request, services)


@router.post("/login")
async def login(request: Request, services: ServicesDep) -> Response:
    return await admin.login(request, services)


@router.post("/logout")
async def logout(request: Request, services: ServicesDep) -> Response:
    return await admin.logout(request, services)


@router.get("/reports")
async def reports(request: Request, services: ServicesDep) -> Response:
    return await admin.guarded(request, services, admin.reports_page)


@router.post("/reports/{report_id}/confirm")
async def confirm(report_id: ReportId, request: Request, services: ServicesDep) -> Response:
    return await admin.posted(request, services, admin.decide(ReportStatus.CONFIRMED, report_id))


@router.post("/reports/{report_id}/reject")
async def reject(report_id: ReportId, request: Request, services: ServicesDep) -> Response:
    return await admin.posted(request, services, admin.decide(ReportStatus.REJECTED, report_id))


@router.get("/campaigns")
async def campaigns(request: Request, services: ServicesDep) -> Response:
    return await admin.guarded(request, services, admin.campaigns_page)


@router.get("/indicators")
async def indicators(request: Request, services: ServicesDep) -> Response:
    return await admin.guarded(request, services, admin.indicators_page)


@router.post("/indicators/remove")
async def remove_indicator(request: Request, services: ServicesDep) -> Response:
    return await admin.posted(request, services, admin.remove_indicator)


@router.get("/activity")
async def activity(request: Request, services: ServicesDep) -> Response:
    return await admin.guarded(request, services, admin.activity_page)


@router.get("/zalo")
async def zalo(request: Request, services: ServicesDep) -> Response:
    return await admin.guarded(request, services, admin.zalo_page)


@router.get("/keys")
async def keys(request: Request, services: ServicesDep) -> Response:
    return await admin.guarded(request, services, admin.keys_page)


@router.post("/keys")
async def create_key(request: Request, services: ServicesDep) -> Response:
    return await admin.create_key_page(request, services)


@router.post("/keys/{key_id}/revoke")
async def revoke_key(key_id: KeyId, request: Request, services: ServicesDep) -> Response:
    return await admin.posted(request, services, admin.revoke(key_id))
