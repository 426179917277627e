"""Webhook authentication: X-ZEvent-Signature: mac=<sha256(app_id+body+timestamp+key)>."""

from __future__ import annotations

import hashlib
import hmac

from app.zalo.events import Loose, Stamp
from app.zalo.jsonbody import read_json

PREFIX = "mac="


def expected_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The hex digest Zalo puts in the header for this body (over the bytes as received)."""
    digest = hashlib.sha256()
    digest.update(app_id.encode())
    digest.update(raw_body)
    digest.update(timestamp.encode())
    digest.update(oa_secret_key.encode())
    return digest.hexdigest()


class Stamped(Loose):
    timestamp: Stamp | None = None


def body_timestamp(raw_body: bytes) -> str | None:
    """The `timestamp` field of the body, exactly as sent (a string of epoch milliseconds),
    read as the event itself is (app.zalo.jsonbody: so never past a fixed depth)."""
    stamped = read_json(raw_body, Stamped)
    return stamped.timestamp if stamped else None


def verify(header: str | None, app_id: str, raw_body: bytes, oa_secret_key: str) -> bool:
    """True only for a header carrying the right mac; compared in constant time."""
    if not header:
        return False
    given = header.strip()
    if given[: len(PREFIX)].lower() == PREFIX:
        given = given[len(PREFIX) :]
    timestamp = body_timestamp(raw_body)
    if timestamp is None:
        return False
    wanted = expected_mac(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(given.strip().lower().encode(), wanted.encode())
