"""The staff web form at GET /: paste a message, see the verdict and why (HTML, not API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from app.http.deps import ServicesDep
from app.http.errors import NotFound
from app.web import pages
from app.web.render import STATIC, page_state

router = APIRouter(include_in_schema=False)

# Served by name from a fixed list, so no request path can reach another file.
STATIC_FILES = {path.name: path for path in STATIC.iterdir() if path.is_file()}
too_large_page = pages.too_large_page


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, services: ServicesDep) -> HTMLResponse:
    """The form to paste a suspicious message into."""
    return pages.form_page(request, services, page_state(request, services))


@router.post("/check", response_class=HTMLResponse)
async def check(request: Request, services: ServicesDep) -> HTMLResponse:
    """Check the pasted message with the same engine as the API and show why."""
    return await pages.check_page(request, services)


@router.get("/check")
@router.get("/report")
async def back_to_form() -> RedirectResponse:
    """A reloaded or bookmarked result leads back to the form."""
    return RedirectResponse("/", status_code=303)


@router.post("/report", response_class=HTMLResponse)
async def report(request: Request, services: ServicesDep) -> HTMLResponse:
    """Record that a checked message was a scam attempt."""
    return await pages.report_page(request, services)


@router.get("/static/{name}")
async def static(name: str) -> FileResponse:
    """Styles, script and icon of the form, served by the app itself (no third party)."""
    path = STATIC_FILES.get(name)
    if path is None:
        raise NotFound(f"No static file named {name!r}.")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=604800"})
