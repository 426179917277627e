"""Security headers on every response, and a friendly page when a form post is too big.

The headers go on JSON as well as HTML: they cost nothing there and no page can slip
through without them. FastAPI's own API docs pages are left without the Content-Security-
Policy because they load their viewer from a CDN with inline script; everything else, the
staff form included, gets the strict policy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}
DOCS_PATHS = ("/docs", "/redoc")
# Paths whose refused (413) bodies come from the web form and deserve a page, not JSON.
FORM_PATHS = frozenset({"/check", "/report"})

TooLargePage = Callable[[Scope, Receive, Send], Awaitable[None]]


RawHeaders = list[tuple[bytes, bytes]]


def _raw(headers: dict[str, str]) -> RawHeaders:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]


# Encoded once: every response of the service carries one of these two sets.
_WITH_CSP = _raw({**COMMON, "Content-Security-Policy": CSP})
_WITHOUT_CSP = _raw(COMMON)


def security_headers(path: str) -> RawHeaders:
    return _WITHOUT_CSP if path.startswith(DOCS_PATHS) else _WITH_CSP


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, too_large_page: TooLargePage | None = None) -> None:
        self.app = app
        self.too_large_page = too_large_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"])
        friendly = (
            self.too_large_page is not None
            and scope["method"] == "POST"
            and scope["path"] in FORM_PATHS
        )
        refused = False
        decorated = _with_headers(send, extra)

        async def gate(message: Message) -> None:
            nonlocal refused
            if message["type"] == "http.response.start":
                refused = friendly and _is_body_refusal(message)
            if not refused:
                await decorated(message)

        await self.app(scope, receive, gate)
        if refused and self.too_large_page is not None:
            await self.too_large_page(scope, receive, decorated)


def _is_body_refusal(start: Message) -> bool:
    """The body limit's JSON refusal, as opposed to the form's own 413 page."""
    content_type = MutableHeaders(scope=start).get("content-type", "")
    return start["status"] == 413 and content_type.startswith("application/problem+json")


def _with_headers(send: Send, extra: RawHeaders) -> Send:
    names = {name for name, _ in extra}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            # Set, not added: a header of the same name the response has is replaced.
            headers = message.get("headers", ())
            kept = [(name, value) for name, value in headers if name.lower() not in names]
            message["headers"] = kept + extra
        await send(message)

    return wrapped
