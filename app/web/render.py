"""Rendering pages: one Jinja environment, autoescaping every template, and page cookies."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request

from app.engine.findings import Lang
from app.engine.i18n import text
from app.services import Services
from app.web import csrf
from app.web import lang as language
from app.web.panel import panel_view

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"

# Autoescape on for every template whatever its name: the pasted text is hostile.
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class PageState:
    """What every page of one request needs: its language and its CSRF pair."""

    lang: Lang
    remember_lang: bool
    csrf_cookie: str
    new_csrf_cookie: bool
    csrf_token: str


def page_state(request: Request, services: Services, form_lang: str | None = None) -> PageState:
    lang, remember = language.choose_lang(request, form_lang)
    cookie = request.cookies.get(csrf.COOKIE) or ""
    fresh = not (0 < len(cookie) <= 100)
    if fresh:
        cookie = csrf.new_cookie_value()
    token = csrf.issue_token(csrf.signing_key(services), cookie)
    return PageState(lang, remember, cookie, fresh, token)


@cache
def static_version(name: str) -> str:
    """A content hash in asset URLs, so browsers may cache assets until they change."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def render(
    request: Request,
    services: Services,
    state: PageState,
    template: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    ref = services.reference

    def t(key: str, **params: str) -> str:
        return text("ui", key, state.lang, ref, **params)

    html = _env.get_template(template).render(
        t=t,
        lang=state.lang.value,
        csrf_field=csrf.FIELD,
        csrf_token=state.csrf_token,
        panel=panel_view(ref, state.lang),
        static_url=static_url,
        max_chars=services.settings.max_message_chars,
        image_max_mb=f"{services.settings.ocr_max_bytes / 1024 / 1024:g}",
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    _finish(request, state, response)
    return response


def _finish(request: Request, state: PageState, response: HTMLResponse) -> None:
    # Pages may show a pasted message: no shared cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept-Language, Cookie"
    secure = request.url.scheme == "https"
    if state.new_csrf_cookie:
        response.set_cookie(
            csrf.COOKIE, state.csrf_cookie, httponly=True, samesite="strict", secure=secure
        )
    if state.remember_lang:
        response.set_cookie(
            language.COOKIE,
            state.lang.value,
            max_age=language.COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=secure,
        )
