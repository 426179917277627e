"""The two Zalo endpoints thatgia calls: send a text to a user, refresh the access token."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

log = logging.getLogger("thatgia.zalo")

SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"

# Error codes of the OA API (non-zero `error` in a 200 answer).
TOKEN_ERRORS = frozenset({-216, -220, -124})  # invalid or expired access token
RATE_LIMITED = -32
UNREACHABLE_USER = frozenset({-213, -230, -232})  # not following, or outside the reply window


class Outcome(StrEnum):
    SENT = "sent"
    TOKEN = "token"  # refresh the access token and send again, once
    RETRY = "retry"  # rate limited, network trouble, server error: try later
    UNREACHABLE = "unreachable"  # the user cannot be messaged now: record, do not retry


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    error: int | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class TokenGrant:
    access_token: str
    refresh_token: str
    expires_in: int


class RefreshError(Exception):
    """Zalo gave no new pair: the stored one stays, and the operator may need set-token."""


def classify(code: int, message: str) -> SendResult:
    if code == 0:
        return SendResult(Outcome.SENT, 0)
    if code in TOKEN_ERRORS:
        return SendResult(Outcome.TOKEN, code, message)
    if code in UNREACHABLE_USER:
        return SendResult(Outcome.UNREACHABLE, code, message)
    # Rate limiting and unknown codes alike are retried with backoff up to the cap: an
    # unknown code may be passing, and a reply dropped for good is worse than a late one.
    return SendResult(Outcome.RETRY, code, message)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _error_code(body: dict[str, Any]) -> int | None:
    try:
        return int(body.get("error", 0))
    except (TypeError, ValueError):
        return None


class ZaloApi:
    def __init__(self, http: httpx.AsyncClient, *, api_base: str, oauth_base: str) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")

    async def send_text(self, access_token: str, user_id: str, text: str) -> SendResult:
        """POST the reply; every failure comes back as a result, never as an exception."""
        payload = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        try:
            response = await self.http.post(
                self.api_base + SEND_PATH, json=payload, headers={"access_token": access_token}
            )
        except httpx.HTTPError as exc:
            return SendResult(Outcome.RETRY, None, f"{type(exc).__name__}: {exc}"[:500])
        body = _json_object(response)
        if response.status_code >= 400 or body is None:
            return SendResult(Outcome.RETRY, None, f"HTTP {response.status_code}")
        code = _error_code(body)
        if code is None:
            return SendResult(Outcome.RETRY, None, "unreadable error code")
        return classify(code, str(body.get("message", ""))[:500])

    async def refresh(self, app_id: str, app_secret: str, refresh_token: str) -> TokenGrant:
        """Trade the refresh token for a new pair; the old refresh token is then dead."""
        form = {"refresh_token": refresh_token, "app_id": app_id, "grant_type": "refresh_token"}
        try:
            response = await self.http.post(
                self.oauth_base + REFRESH_PATH, data=form, headers={"secret_key": app_secret}
            )
        except httpx.HTTPError as exc:
            raise RefreshError(f"{type(exc).__name__}: {exc}") from exc
        body = _json_object(response) or {}
        access, refresh = body.get("access_token"), body.get("refresh_token")
        if isinstance(access, str) and access and isinstance(refresh, str) and refresh:
            return TokenGrant(access, refresh, _expires_in(body.get("expires_in")))
        detail = str(body.get("error_description") or body.get("error_name") or body)[:500]
        raise RefreshError(f"HTTP {response.status_code}: {detail}")


def _expires_in(value: object) -> int:
    """Seconds of validity ("90000" as Zalo writes it); a day when unreadable."""
    try:
        return max(60, int(str(value)))
    except ValueError:
        return 86_400
