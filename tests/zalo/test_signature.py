"""Webhook signatures, checked against digests computed here independently."""

from __future__ import annotations

import hashlib

from app.zalo.signature import body_timestamp, expected_mac, verify

APP_ID = "1234567890"
KEY = "oa-secret-key"
BODY = (
    b'{"app_id":"1234567890","event_name":"user_send_text","timestamp":"1700000000000",'
    b'"sender":{"id":"u1"},"message":{"msg_id":"m1","text":"Xin ch\\u00e0o"}}'
)


def independent_mac(app_id: str, body: bytes, timestamp: str, key: str) -> str:
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + key.encode()).hexdigest()


def test_mac_is_sha256_of_app_id_body_timestamp_and_oa_key() -> None:
    wanted = independent_mac(APP_ID, BODY, "1700000000000", KEY)
    assert expected_mac(APP_ID, BODY, "1700000000000", KEY) == wanted


def test_genuine_header_is_accepted() -> None:
    header = "mac=" + independent_mac(APP_ID, BODY, "1700000000000", KEY)
    assert verify(header, APP_ID, BODY, KEY)


def test_tampered_body_is_refused() -> None:
    header = "mac=" + independent_mac(APP_ID, BODY, "1700000000000", KEY)
    assert not verify(header, APP_ID, BODY.replace(b"m1", b"m2"), KEY)


def test_signature_made_with_another_key_is_refused() -> None:
    header = "mac=" + independent_mac(APP_ID, BODY, "1700000000000", "app-secret-not-oa-key")
    assert not verify(header, APP_ID, BODY, KEY)


def test_missing_or_empty_header_is_refused() -> None:
    assert not verify(None, APP_ID, BODY, KEY)
    assert not verify("mac=", APP_ID, BODY, KEY)


def test_body_that_is_not_json_is_refused() -> None:
    assert not verify("mac=00", APP_ID, b"not json", KEY)


def test_numeric_timestamp_is_used_as_written() -> None:
    body = b'{"timestamp": 1700000000000}'
    assert body_timestamp(body) == "1700000000000"
    assert verify("mac=" + independent_mac(APP_ID, body, "1700000000000", KEY), APP_ID, body, KEY)
