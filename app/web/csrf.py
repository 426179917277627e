"""CSRF protection for the web form: signed double-submit tokens.

The browser holds a random value in a cookie; each form carries a token that is an HMAC of
that value and the time it was issued, keyed with the service's secret. A cross-site page
can neither read the cookie nor compute the HMAC, so it cannot produce a matching pair.
Nothing is stored on the server, so any worker holding the same key can verify a token:
with several workers or replicas, set THATGIA_SECRET_KEY, or each process signs with its
own random key and forms posted to another process are refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time

from app.services import Services

COOKIE = "thatgia_csrf"
FIELD = "csrf_token"
# Long enough for a form left open over a working day, short enough to expire overnight.
TOKEN_TTL_SECONDS = 12 * 3600

log = logging.getLogger("thatgia.web")


def signing_key(services: Services) -> bytes:
    """THATGIA_SECRET_KEY, or a random key made once for this process (Services)."""
    return services.csrf_key


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def _signature(key: bytes, cookie_value: str, issued: int) -> str:
    mac = hmac.new(key, f"csrf|{cookie_value}|{issued}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue_token(key: bytes, cookie_value: str, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    return f"{issued}.{_signature(key, cookie_value, issued)}"


def token_is_valid(
    key: bytes, cookie_value: str | None, token: str | None, now: float | None = None
) -> bool:
    """True when the token was issued with this key, for this cookie, and has not expired."""
    if not cookie_value or not token or len(token) > 200:
        return False
    issued_text, _, signature = token.partition(".")
    if not issued_text.isdigit() or not signature:
        return False
    issued = int(issued_text)
    age = (now if now is not None else time.time()) - issued
    if age < -60 or age > TOKEN_TTL_SECONDS:  # a minute of clock skew between replicas
        return False
    expected = _signature(key, cookie_value, issued)
    return hmac.compare_digest(expected.encode(), signature.encode())
