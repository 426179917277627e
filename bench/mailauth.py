"""Mail authentication in this process, no HTTP: authenticate() on a 20 KB DKIM-signed
message, warm DNS cache, against calling dkimpy and pyspf directly on the same message
with the same warm answers; DNS queries per message with a cold and a warm cache. (The
gateway over HTTP, against rspamd, is bench/mail.py.)"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import Any

import dkim
import dns.resolver
import spf

from app.engine.assess import assess
from app.engine.claim import Context
from app.engine.reference import load_reference
from app.mail.auth import Resolver, authenticate, spfcheck
from app.mail.check import attachment_findings, auth_findings, mail_claim, structure_findings
from app.mail.parse import parse_message
from bench.messages import message_of
from tests.dnsserver import DNSTestServer
from tests.mail.auth.signing import rsa_key, sign

CLIENT_IP, MAIL_FROM, HELO = "192.0.2.10", "bounce@vst.gov.vn", "mail.vst.gov.vn"


def signed_message() -> bytes:
    body = message_of(20_000).replace("\n", "\r\n")
    head = (
        "From: Doi ho tro CNTT <hotrocntt@vst.gov.vn>\r\nTo: ketoan@donvi.example\r\n"
        "Subject: SD251120-000456 ho tro DVCTT\r\nDate: Fri, 21 Nov 2025 09:00:00 +0700\r\n"
        "Message-ID: <b@vst.gov.vn>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
    )
    return sign((head + "\r\n" + body).encode(), rsa_key(2048), domain="vst.gov.vn")


def rate(job: Callable[[], object], seconds: float = 3.0) -> float:
    job()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        job()
        count += 1
    return count / (time.perf_counter() - started)


def baseline(raw: bytes, server: DNSTestServer) -> Callable[[], object]:
    """dkimpy and pyspf called directly, their DNS answers memoised (a warm cache)."""
    host, port = server.address.rsplit(":", 1)
    plain = dns.resolver.Resolver(configure=False)
    plain.nameservers, plain.port = [host], int(port)
    dns.resolver.default_resolver = plain

    @cache
    def txt(name: bytes, timeout: int = 5) -> bytes | None:
        return b"".join(plain.resolve(name.decode(), "TXT")[0].strings)

    @cache
    def lookup(name: str, qtype: str, strict: object = True, timeout: object = None) -> Any:
        return spfcheck._PYSPF_LOOKUP(name, qtype, strict, timeout)

    def job() -> object:
        ours = spf.DNSLookup
        spf.DNSLookup = lookup
        try:
            return dkim.verify(raw, dnsfunc=txt), spf.check2(i=CLIENT_IP, s=MAIL_FROM, h=HELO)
        finally:
            spf.DNSLookup = ours

    return job


def ours(raw: bytes, resolver: Resolver, full: bool) -> Callable[[], object]:
    reference = load_reference()

    def job() -> object:
        parsed = parse_message(raw) if full else None
        report = authenticate(
            raw,
            client_ip=CLIENT_IP,
            helo=HELO,
            mail_from=MAIL_FROM,
            from_domain="vst.gov.vn",
            resolver=resolver,
            budget=5.0,
        )
        if parsed is None:
            return report
        extra = (
            *auth_findings(parsed, report, reference),
            *structure_findings(parsed, MAIL_FROM, reference),
            *attachment_findings(parsed, reference),
        )
        return assess(mail_claim(parsed), Context(reference=reference, extra_findings=extra))

    return job


def run() -> None:
    raw = signed_message()
    with DNSTestServer() as server:
        rsa_key(2048).publish(server, "sel", "vst.gov.vn")
        server.add("vst.gov.vn", "TXT", f"v=spf1 ip4:{CLIENT_IP} -all")
        server.add("_dmarc.vst.gov.vn", "TXT", "v=DMARC1; p=reject")
        cold = Resolver([server.address], timeout=2.0)
        ours(raw, cold, full=False)()
        cold_queries = cold.stats.queries_sent
        ours(raw, cold, full=False)()
        warm_queries = cold.stats.queries_sent - cold_queries
        direct = rate(baseline(raw, server))
        auth_only = rate(ours(raw, cold, full=False))
        full = rate(ours(raw, cold, full=True))
    print(f"message size                 : {len(raw) / 1024:.1f} KB, rsa-sha256 2048-bit")
    print(f"dkimpy + pyspf directly      : {direct:7.1f} msg/s  (baseline, warm answers)")
    print(
        f"authenticate() (SPF+DKIM+DMARC): {auth_only:7.1f} msg/s  overhead "
        f"{direct / auth_only:.2f}x (target <= 1.5x)"
    )
    print(f"whole mail check (parse+auth+engine): {full:7.1f} msg/s  overhead {direct / full:.2f}x")
    print(f"DNS queries per message      : cold {cold_queries}, warm {warm_queries}")
