"""The admin console's pages: sign-in, reports, campaigns, indicators, activity, Zalo
failures, API keys. Server-rendered, the same CSP, CSRF and language choice as the form.

Every page asks the database for the session first (app.store.adminsessions); without a
valid one a page leads to the sign-in form. Every POST carries a CSRF token and answers
with a redirect to the page it came from (post/redirect/get), except the creation of an
API key, whose token is shown on the answer, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.requests import Request

from app.http.auth import Scope
from app.http.errors import ServiceUnavailable
from app.reportflow import decided
from app.services import Services
from app.store import activity
from app.store.adminsessions import sign_in, sign_out, signed_in
from app.store.database import Database
from app.store.keys import create_key, list_keys, revoke_key
from app.store.moderation import confirm, reject
from app.store.reports import list_indicators, list_reports
from app.store.tables import ApiKey, ReportStatus
from app.web import csrf
from app.web.charts import stacked
from app.web.render import PageState, page_state, render
from app.zalo.outbox import final_failures

COOKIE = "thatgia_admin"
NAV = [
    ("/admin/reports", "admin_reports"),
    ("/admin/campaigns", "admin_campaigns"),
    ("/admin/indicators", "admin_indicators"),
    ("/admin/activity", "admin_activity"),
    ("/admin/zalo", "admin_zalo"),
    ("/admin/keys", "admin_keys"),
]
DAYS = 14
VERDICTS = ["impersonation", "suspicious", "plausible", "authentic"]
STATUSES = [s.value for s in ReportStatus]
FLASHES = {"confirmed", "rejected", "removed", "revoked"}


def _value(data: FormData, name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _token_ok(request: Request, services: Services, data: FormData) -> bool:
    key = csrf.signing_key(services)
    return csrf.token_is_valid(key, request.cookies.get(csrf.COOKIE), _value(data, csrf.FIELD))


def _idle(services: Services) -> dt.timedelta:
    return dt.timedelta(minutes=services.settings.admin_session_idle_minutes)


async def current_admin(request: Request, services: Services) -> ApiKey | None:
    database = services.database
    if database is None:
        return None
    async with database.write_session() as session:
        return await signed_in(session, request.cookies.get(COOKIE), _idle(services))


def _page(
    request: Request,
    services: Services,
    state: PageState,
    template: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    flash = request.query_params.get("done")
    response = render(
        request,
        services,
        state,
        template,
        status=status,
        nav=NAV,
        here=request.url.path,
        signed_in=template != "admin/login.html",
        flash=f"admin_done_{flash}" if flash in FLASHES else None,
        **context,
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def login_page(
    request: Request, services: Services, error: str | None = None, status: int = 200
) -> HTMLResponse:
    state = page_state(request, services)
    return _page(request, services, state, "admin/login.html", status=status, error=error)


def _to(path: str, lang: str) -> RedirectResponse:
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}lang={lang}", status_code=303)


async def login(request: Request, services: Services) -> Response:
    data = await request.form()
    if not _token_ok(request, services, data):
        return login_page(request, services, "error_csrf", 403)
    token = _value(data, "api_key").strip()
    database = services.database
    found = None
    if database is not None and 0 < len(token) <= 200:
        async with database.write_session() as session:
            found = await sign_in(session, token)
    if found is None:
        return login_page(request, services, "admin_sign_in_refused", 401)
    response = _to("/admin/reports", page_state(request, services, _value(data, "lang")).lang.value)
    response.set_cookie(
        COOKIE,
        found[1],
        max_age=int(_idle(services).total_seconds()),
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def logout(request: Request, services: Services) -> Response:
    data = await request.form()
    if not _token_ok(request, services, data):
        return login_page(request, services, "error_csrf", 403)
    if services.database is not None:
        async with services.database.write_session() as session:
            await sign_out(session, request.cookies.get(COOKIE))
    response = _to("/admin", page_state(request, services, _value(data, "lang")).lang.value)
    response.delete_cookie(COOKIE, path="/admin")
    return response


Page = Callable[[Request, Services, PageState, ApiKey], Awaitable[Response]]


async def guarded(request: Request, services: Services, page: Page) -> Response:
    """A page for a signed-in admin; the sign-in form for anyone else."""
    admin = await current_admin(request, services)
    if admin is None:
        return RedirectResponse("/admin", status_code=303)
    return await page(request, services, page_state(request, services), admin)


Action = Callable[[Services, FormData, ApiKey], Awaitable[str]]


async def posted(request: Request, services: Services, action: Action) -> Response:
    """A form's action for a signed-in admin, checked against CSRF; back to its page."""
    data = await request.form()
    admin = await current_admin(request, services)
    if admin is None:
        return RedirectResponse("/admin", status_code=303)
    if not _token_ok(request, services, data):
        return login_page(request, services, "error_csrf", 403)
    target = await action(services, data, admin)
    return _to(target, page_state(request, services, _value(data, "lang")).lang.value)


def _database(services: Services) -> Database:
    if services.database is None:
        raise ServiceUnavailable("The database is not open yet.", retry_after=5)
    return services.database


async def reports_page(
    request: Request, services: Services, state: PageState, admin: ApiKey
) -> Response:
    async with _database(services).session() as session:
        reports = await list_reports(session, limit=200)
    return _page(request, services, state, "admin/reports.html", reports=reports)


def decide(to: ReportStatus, report_id: int) -> Action:
    async def act(services: Services, data: FormData, admin: ApiKey) -> str:
        async with _database(services).write_session() as session:
            if to == ReportStatus.CONFIRMED:
                await confirm(session, report_id, admin.name, services.reference)
            else:
                await reject(session, report_id, admin.name)
            await session.commit()
        await decided(services)
        return f"/admin/reports?done={to.value}"

    return act


async def indicators_page(
    request: Request, services: Services, state: PageState, admin: ApiKey
) -> Response:
    async with _database(services).session() as session:
        indicators = await list_indicators(session, limit=500)
        behind = await activity.reports_behind(session, indicators, per_indicator=10)
    return _page(
        request, services, state, "admin/indicators.html", indicators=indicators, behind=behind
    )


async def remove_indicator(services: Services, data: FormData, admin: ApiKey) -> str:
    async with _database(services).write_session() as session:
        await activity.remove_indicator(session, _value(data, "kind"), _value(data, "value"))
    return "/admin/indicators?done=removed"


async def keys_page(
    request: Request,
    services: Services,
    state: PageState,
    admin: ApiKey,
    *,
    new_token: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    async with _database(services).session() as session:
        keys = await list_keys(session)
    scopes = [s.value for s in Scope]
    context = {"keys": keys, "scopes": scopes, "new_token": new_token, "error": error}
    return _page(request, services, state, "admin/keys.html", status=status, **context)


async def create_key_page(request: Request, services: Services) -> Response:
    """Create a key and show its token on this answer, once (no redirect: it is not kept)."""
    data = await request.form()
    admin = await current_admin(request, services)
    if admin is None:
        return RedirectResponse("/admin", status_code=303)
    state = page_state(request, services, _value(data, "lang"))
    if not _token_ok(request, services, data):
        return login_page(request, services, "error_csrf", 403)
    name = _value(data, "name").strip()
    scopes = sorted({s for s in data.getlist("scope") if s in {x.value for x in Scope}})
    if not name or len(name) > 100 or not scopes:
        return await keys_page(
            request, services, state, admin, error="admin_key_invalid", status=422
        )
    async with _database(services).write_session() as session:
        _, token = await create_key(session, name, scopes)
    response = await keys_page(request, services, state, admin, new_token=token)
    return response


def revoke(key_id: str) -> Action:
    async def act(services: Services, data: FormData, admin: ApiKey) -> str:
        async with _database(services).write_session() as session:
            await revoke_key(session, key_id)
        return "/admin/keys?done=revoked"

    return act


async def activity_page(
    request: Request, services: Services, state: PageState, admin: ApiKey
) -> Response:
    async with _database(services).session() as session:
        checks = await activity.checks_per_day(session, DAYS)
        reports = await activity.reports_per_day(session, DAYS)
    blocks = [
        {
            "id": "checks-heading",
            "title": "admin_checks_per_day",
            "series": VERDICTS,
            "days": checks,
            "chart": stacked(checks, VERDICTS),
        },
        {
            "id": "reports-heading",
            "title": "admin_reports_per_day",
            "series": STATUSES,
            "days": reports,
            "chart": stacked(reports, STATUSES),
        },
    ]
    return _page(request, services, state, "admin/activity.html", blocks=blocks)


async def campaigns_page(
    request: Request, services: Services, state: PageState, admin: ApiKey
) -> Response:
    async with _database(services).session() as session:
        found = await activity.campaigns(session, limit=100)
    return _page(request, services, state, "admin/campaigns.html", campaigns=found)


async def zalo_page(
    request: Request, services: Services, state: PageState, admin: ApiKey
) -> Response:
    failures = await final_failures(_database(services), 200, None)
    return _page(request, services, state, "admin/zalo.html", failures=failures)
