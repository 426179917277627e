"""Schemathesis hooks for tests/test_contract.py, loaded in the schemathesis process
(SCHEMATHESIS_HOOKS=tests.contract_hooks); the test passes what it set up in the
environment."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import quopri
from typing import Any

import schemathesis
from hypothesis import strategies as st

WEBHOOK = "/v1/integrations/zalo/webhook"
# Every request carries the next key: one of all three scopes, then each scope alone.
KEYS = itertools.cycle(os.environ["THATGIA_CONTRACT_KEYS"].split(","))
ZALO_APP_ID = os.environ["THATGIA_CONTRACT_ZALO_APP_ID"]
ZALO_OA_SECRET_KEY = os.environ["THATGIA_CONTRACT_ZALO_OA_SECRET_KEY"]


@schemathesis.auth(refresh_interval=None, retry_on=[])
class EveryScope:
    def get(self, case: Any, context: Any) -> str:
        return next(KEYS)

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Sign the webhook's events as Zalo does, over the exact bytes sent, so that the
    fuzzed events reach the chatbot rather than all stopping at the signature. A case
    without the header (testing that it is required) is left without it."""
    if case.operation.path != WEBHOOK or not isinstance(case.body, dict):
        return
    if "X-ZEvent-Signature" not in (case.headers or {}):
        return
    stamp = case.body.get("timestamp")
    if isinstance(stamp, bool) or not isinstance(stamp, str | int):
        return
    raw = json.dumps(case.body).encode()
    mac = hashlib.sha256(
        ZALO_APP_ID.encode() + raw + str(stamp).encode() + ZALO_OA_SECRET_KEY.encode()
    )
    kwargs["data"] = raw
    case.headers = {**(case.headers or {}), "X-ZEvent-Signature": f"mac={mac.hexdigest()}"}


SENDERS = [
    "hotrocntt@vst.gov.vn",
    "Đội hỗ trợ CNTT <hotrocntt@vst.gov.vn>",
    '"hotrocntt@vst.gov.vn" <hotro.kbnn@gmail.com>',
    "=?utf-8?b?xJDhu5lpIGjhu5cgdHLhu6M=?= <a@vst-gov.vn>",
    "a@b, c@d",
    "",
]


def message(sender: str, subject: str, body: str, transfer: str) -> bytes:
    """A mail as a gateway would post it, with whatever the fuzzer put in its fields."""
    payload = body.encode()
    if transfer == "base64":
        payload = base64.encodebytes(payload)
    elif transfer == "quoted-printable":
        payload = quopri.encodestring(payload)
    head = (
        f"From: {sender}\r\nTo: donvi@example.vn\r\nSubject: {subject}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: {transfer}\r\n\r\n"
    )
    return head.encode() + payload


schemathesis.openapi.media_type(
    "message/rfc822",
    st.one_of(
        st.builds(
            message,
            st.sampled_from(SENDERS),
            st.text(max_size=80),
            st.text(max_size=1500),
            st.sampled_from(["8bit", "base64", "quoted-printable"]),
        ),
        st.binary(max_size=2048),
    ),
)
