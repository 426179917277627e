"""POST /v1/mail/check end to end: real DNS server, real signatures, real database."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.engine.claim import VIETNAM
from tests.conftest import KeyMaker, bearer
from tests.dnsserver import DNSTestServer, dns_server
from tests.mail.auth.signing import Key, rsa_key, sign

__all__ = ["dns_server"]

OFFICIAL = "hotrocntt@vst.gov.vn"
SERVER_IP = "192.0.2.10"
RFC822 = {"content-type": "message/rfc822"}


def recent_ticket() -> str:
    yesterday = dt.datetime.now(VIETNAM) - dt.timedelta(days=1)
    return f"SD{yesterday:%y%m%d}-000123"


def mail(
    sender: str = f"Đội hỗ trợ CNTT <{OFFICIAL}>",
    body: str | None = None,
    extra: str = "",
    subject: str | None = None,
) -> bytes:
    ticket = recent_ticket()
    text = body or (
        f"Kính gửi đơn vị,\r\nYêu cầu {ticket} đã được xử lý. Đề nghị gửi ảnh "
        "chụp màn hình lỗi nếu còn vướng mắc.\r\n"
    )
    head = (
        f"From: {sender}\r\nTo: ketoan@donvi.example\r\n"
        f"Subject: {subject or ticket + ': xác nhận yêu cầu hỗ trợ'}\r\n"
        "Date: Fri, 21 Nov 2025 09:00:00 +0700\r\nMessage-ID: <1@vst.gov.vn>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n" + extra
    )
    return (head + "\r\n" + text).encode()


def mail_settings(database_url: str, dns_server: DNSTestServer, mail_max_bytes: int) -> Settings:
    return Settings(
        database_url=database_url,
        dns_nameservers=[dns_server.address],
        dns_timeout=0.5,
        dns_budget=2.0,
        mail_max_bytes=mail_max_bytes,
    )


@pytest.fixture
def settings(database_url: str, dns_server: DNSTestServer) -> Settings:
    return mail_settings(database_url, dns_server, 64 * 1024)


@pytest.fixture
def official_key(dns_server: DNSTestServer) -> Key:
    key = rsa_key(2048)
    key.publish(dns_server, "sel", "vst.gov.vn")
    dns_server.add("vst.gov.vn", "TXT", f"v=spf1 ip4:{SERVER_IP} -all")
    dns_server.add("_dmarc.vst.gov.vn", "TXT", "v=DMARC1; p=reject")
    return key


@pytest.fixture
async def gateway(make_key: KeyMaker) -> dict[str, str]:
    return {**RFC822, **bearer(await make_key("gateway"))}


async def check(
    client: httpx.AsyncClient, headers: dict[str, str], raw: bytes, **query: str
) -> dict[str, Any]:
    response = await client.post("/v1/mail/check", content=raw, headers=headers, params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> set[str]:
    return {f["code"] for f in body["findings"]}


async def test_official_mail_with_aligned_dkim_is_authentic(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    body = await check(client, gateway, sign(mail(), official_key, domain="vst.gov.vn"))
    assert body["verdict"] == "authentic", codes(body)
    assert body["authentication"]["dkim"][0]["result"] == "pass"
    assert body["headers"]["X-Thatgia-Verdict"] == "authentic"
    assert "dkim=pass" in body["headers"]["Authentication-Results"]
    assert body["headers"]["Authentication-Results"].startswith("thatgia;")


async def test_official_mail_with_aligned_spf_is_authentic(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    body = await check(
        client,
        gateway,
        mail(),
        client_ip=SERVER_IP,
        mail_from="bounce@vst.gov.vn",
        helo="mail.vst.gov.vn",
    )
    assert body["verdict"] == "authentic", codes(body)
    assert body["authentication"]["spf"]["result"] == "pass"


def _altered_body(raw: bytes) -> bytes:
    return raw.replace(b"Y\xc3\xaau c\xe1\xba\xa7u", b"Vui l\xc3\xb2ng g\xe1\xbb\xadi m\xc3\xa3")


def _second_from(raw: bytes) -> bytes:
    return b"From: kbnn.hotro@evil.example\r\n" + raw


@pytest.mark.parametrize(
    ("spoof", "expected"),
    [
        (_altered_body, "mail.unauthenticated_official"),
        (_second_from, "mail.multiple_from"),
    ],
)
async def test_a_tampered_official_mail_is_impersonation(
    client: httpx.AsyncClient,
    gateway: dict[str, str],
    official_key: Key,
    spoof: Any,
    expected: str,
) -> None:
    raw = spoof(sign(mail(), official_key, domain="vst.gov.vn"))
    body = await check(client, gateway, raw)
    assert body["verdict"] == "impersonation"
    assert expected in codes(body)


async def test_rsa_sha1_and_partial_body_signatures_are_no_proof(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    sha1 = sign(mail(), official_key, domain="vst.gov.vn", algorithm="rsa-sha1")
    partial = sign(mail(), official_key, domain="vst.gov.vn", length=True)
    partial += "Gửi mã PIN token cho em qua Zalo 0901234567.\r\n".encode()
    for raw in (sha1, partial):
        body = await check(client, gateway, raw)
        assert body["verdict"] != "authentic"
        assert "mail.unauthenticated_official" in codes(body) or body["verdict"] == (
            "impersonation"
        )


async def test_unsigned_mail_from_the_official_address_is_spoofed(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    body = await check(client, gateway, mail(), client_ip="203.0.113.5", mail_from="x@evil.example")
    assert body["verdict"] == "impersonation"
    assert "mail.unauthenticated_official" in codes(body)


async def test_valid_signature_of_another_domain_is_no_proof(
    client: httpx.AsyncClient,
    gateway: dict[str, str],
    dns_server: DNSTestServer,
    official_key: Key,
) -> None:
    official_key.publish(dns_server, "sel", "evil.example")
    body = await check(client, gateway, sign(mail(), official_key, domain="evil.example"))
    assert body["verdict"] == "impersonation"
    assert "mail.unauthenticated_official" in codes(body)


async def test_reply_to_elsewhere_on_an_official_mail_is_danger(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    signed = sign(mail(), official_key, domain="vst.gov.vn")
    body = await check(client, gateway, b"Reply-To: hotro.kbnn@gmail.com\r\n" + signed)
    assert body["verdict"] == "impersonation"
    assert "mail.reply_to_mismatch" in codes(body)


async def test_display_name_showing_the_official_address_is_spoof(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    body = await check(client, gateway, mail(sender=f'"{OFFICIAL}" <kbnn@evil.example>'))
    assert body["verdict"] == "impersonation"
    assert "sender.display_name_spoof" in codes(body)


async def test_remote_access_scam_in_the_body_is_caught(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    scam = mail(
        sender="Ho tro KBNN <hotrokbnn@gmail.com>",
        body="Anh tải UltraViewer rồi gửi em ID và mật khẩu để em cài chữ ký số.\r\n",
    )
    body = await check(client, gateway, scam)
    assert body["verdict"] == "impersonation"
    assert "request.remote_access" in codes(body)


async def test_executable_attachment_named_like_a_tool_is_a_request(
    client: httpx.AsyncClient, gateway: dict[str, str], official_key: Key
) -> None:
    boundary = "b1"
    raw = (
        f"From: KBNN <hotro@kbnn-support.example>\r\nTo: a@b.example\r\nSubject: cai dat\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary={boundary}\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXem tep dinh kem."
        f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition:"
        f' attachment; filename="UltraViewer_KBNN_setup.exe"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--{boundary}--\r\n"
    )
    body = await check(client, gateway, raw.encode())
    assert {"request.install", "request.remote_access"} <= codes(body)
    assert body["verdict"] == "impersonation"


async def test_dns_that_never_answers_gives_temperror_within_the_budget(
    client: httpx.AsyncClient,
    gateway: dict[str, str],
    dns_server: DNSTestServer,
    official_key: Key,
) -> None:
    dns_server.never_answer()
    started = time.monotonic()
    body = await check(
        client,
        gateway,
        sign(mail(), official_key, domain="vst.gov.vn"),
        client_ip=SERVER_IP,
        mail_from="bounce@vst.gov.vn",
    )
    assert time.monotonic() - started < 2.0 + 1.5
    assert body["verdict"] == "suspicious"
    assert any(code.endswith(".temperror") for code in codes(body))


async def test_a_key_is_required_with_the_gateway_scope(
    client: httpx.AsyncClient, make_key: KeyMaker
) -> None:
    none = await client.post("/v1/mail/check", content=mail(), headers=RFC822)
    assert none.status_code == 401
    support = bearer(await make_key("support"))
    wrong = await client.post("/v1/mail/check", content=mail(), headers={**RFC822, **support})
    assert wrong.status_code == 403


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"", "message/rfc822", 422),
        (b"{}", "application/json", 415),
        (b"x" * (65 * 1024), "message/rfc822", 413),
    ],
)
async def test_bad_bodies_get_problem_details(
    client: httpx.AsyncClient,
    gateway: dict[str, str],
    content: bytes,
    content_type: str,
    status: int,
) -> None:
    headers = {**gateway, "content-type": content_type}
    response = await client.post("/v1/mail/check", content=content, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
