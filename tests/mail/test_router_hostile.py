"""POST /v1/mail/check on hostile mail: a spoof of the official sender is never downgraded,
text under a bogus charset is still read, and every shape is read within its bounds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.config import Settings
from tests.conftest import KeyMaker, bearer
from tests.dnsserver import DNSTestServer, dns_server
from tests.mail.auth.signing import Key, sign
from tests.mail.test_router import (
    OFFICIAL,
    RFC822,
    check,
    codes,
    mail,
    mail_settings,
    official_key,
)

__all__ = ["dns_server", "official_key"]

PASSWORD_REQUEST = "Anh vui lòng gửi mật khẩu DVCTT để em kiểm tra."


@pytest.fixture
def settings(database_url: str, dns_server: DNSTestServer) -> Settings:
    return mail_settings(database_url, dns_server, 2 * 1024 * 1024)


@pytest.fixture
async def gateway(make_key: KeyMaker) -> dict[str, str]:
    return {**RFC822, **bearer(await make_key("gateway"))}


def _nested(levels: int) -> bytes:
    head = f"From: Hỗ trợ <{OFFICIAL}>\r\nMIME-Version: 1.0\r\n"
    head += 'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n'
    opening = "".join(
        f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n'
        for i in range(levels)
    )
    leaf = f"--b{levels}\r\nContent-Type: text/plain\r\n\r\nxin chào\r\n"
    closing = "".join(f"--b{i}--\r\n" for i in range(levels, -1, -1))
    return (head + opening + leaf + closing).encode()


SPOOFS: dict[str, Callable[[], bytes]] = {
    "rot13 subject": lambda: mail(subject="=?rot13?q?abc?="),
    "idna subject": lambda: mail(subject="=?idna?q?=FF?="),
    "zlib subject": lambda: mail(subject="=?zlib?q?abc?="),
    "hex subject": lambda: mail(subject="=?hex?q?zz?="),
    "1,000 nested multiparts": lambda: _nested(1000),
    "charset of 50,000 (": lambda: mail(extra="X-Note: 1\r\n").replace(
        b"charset=utf-8", b"charset=" + b"(" * 50_000
    ),
    "display name of 50,000 a": lambda: mail(sender="a" * 50_000 + f" <{OFFICIAL}>"),
    "From comment of 100,000 a": lambda: mail(sender=f"{OFFICIAL} (" + "a" * 100_000 + ")"),
    "From after 600 filler fields": lambda: (
        "".join(f"X-Filler-{i}: {i}\r\n" for i in range(600)).encode() + mail()
    ),
    "undecodable bytes in the From": lambda: mail(sender="X").replace(
        b"From: X", b"From: \xff\xfe=?rot13?q?x?= <" + OFFICIAL.encode() + b">"
    ),
}


@pytest.mark.parametrize("make", SPOOFS.values(), ids=SPOOFS.keys())
async def test_a_spoof_of_the_official_sender_stays_impersonation(
    client: httpx.AsyncClient, gateway: dict[str, str], make: Callable[[], bytes]
) -> None:
    body = await check(client, gateway, make())
    assert body["verdict"] == "impersonation", codes(body)
    assert "mail.unauthenticated_official" in codes(body)


async def test_an_undecodable_subject_is_read_with_a_finding_of_its_own(
    client: httpx.AsyncClient, gateway: dict[str, str]
) -> None:
    body = await check(client, gateway, mail(subject="=?rot13?q?abc?= hỗ trợ"))
    assert {"mail.malformed", "sender.official"} <= codes(body)
    assert "sender.invalid" not in codes(body)


async def test_a_signed_official_mail_with_an_odd_subject_is_not_called_a_spoof(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    raw = sign(mail(subject="=?rot13?q?abc?="), official_key, domain="vst.gov.vn")
    body = await check(client, gateway, raw)
    assert body["verdict"] == "suspicious", codes(body)  # the malformed subject, nothing more
    assert "mail.unauthenticated_official" not in codes(body)


@pytest.mark.parametrize("charset", ["rot13", "hex", "zlib", "idna", "x-made-up", "base64"])
async def test_a_request_under_a_bogus_charset_is_still_read(
    client: httpx.AsyncClient, gateway: dict[str, str], charset: str
) -> None:
    raw = mail(sender="Hỗ trợ <hotro@kbnn-support.example>", body=PASSWORD_REQUEST)
    body = await check(client, gateway, raw.replace(b"utf-8", charset.encode()))
    assert "request.password" in codes(body)
    assert body["verdict"] == "impersonation"


async def test_a_genuine_mail_under_a_bogus_charset_raises_no_request(
    client: httpx.AsyncClient, gateway: dict[str, str]
) -> None:
    raw = mail(sender="Kế toán <ketoan@donvi.example>", body="Chiều nay họp giao ban nhé.")
    body = await check(client, gateway, raw.replace(b"charset=utf-8", b"charset=rot13"))
    assert not {code for code in codes(body) if code.startswith("request.")}


@pytest.mark.parametrize("client_ip", ["fe80::1%eth0", "", "999.1.1.1", "[::1]"])
async def test_a_client_ip_that_is_not_a_plain_address_is_refused(
    client: httpx.AsyncClient, gateway: dict[str, str], client_ip: str
) -> None:
    response = await client.post(
        "/v1/mail/check", content=mail(), headers=gateway, params={"client_ip": client_ip}
    )
    assert response.status_code == 422
    problem: dict[str, Any] = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert "client_ip" in str(problem)


async def test_an_ipv6_client_ip_is_evaluated(
    client: httpx.AsyncClient, gateway: dict[str, str]
) -> None:
    body = await check(client, gateway, mail(), client_ip="2001:db8::7", mail_from="a@x.example")
    assert body["authentication"]["spf"]["result"] in {"none", "temperror"}
