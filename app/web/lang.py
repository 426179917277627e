"""Which language a page speaks: an explicit choice first, then the browser's preference."""

from __future__ import annotations

from starlette.requests import Request

from app.engine.findings import Lang
from app.engine.i18n import negotiate

COOKIE = "thatgia_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def parse_lang(value: str | None) -> Lang | None:
    if value is None:
        return None
    try:
        return Lang(value.strip().lower())
    except ValueError:
        return None


def choose_lang(request: Request, form_value: str | None = None) -> tuple[Lang, bool]:
    """The page language, and whether it was chosen just now (so it should be remembered).

    Order: `?lang=` (the visible switch), the form's hidden field (works without cookies),
    the remembered cookie, then Accept-Language.
    """
    chosen = parse_lang(request.query_params.get("lang")) or parse_lang(form_value)
    if chosen is not None:
        return chosen, chosen != parse_lang(request.cookies.get(COOKIE))
    remembered = parse_lang(request.cookies.get(COOKIE))
    if remembered is not None:
        return remembered, False
    return negotiate(request.headers.get("accept-language")), False
