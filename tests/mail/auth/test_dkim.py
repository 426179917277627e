"""DKIM on every signature, with keys served by the test DNS server (RFC 6376, 8301, 8463)."""

from __future__ import annotations

import os
import re
import time

import pytest

from app.mail.auth.dkimcheck import verify_dkim
from app.mail.auth.dns import Deadline, Resolver
from app.mail.auth.results import DKIMResult
from tests.dnsserver import DNSTestServer
from tests.mail.auth import signing
from tests.mail.auth.messages import message
from tests.mail.auth.signing import Key, ed25519_key, rsa_key, sign, sign_with_tags
from tests.shared_data import shared_path

DOMAIN = "vst.gov.vn"


def verify(raw: bytes, resolver: Resolver) -> tuple[DKIMResult, ...]:
    return verify_dkim(raw, resolver, Deadline(5.0))


def only(results: tuple[DKIMResult, ...]) -> DKIMResult:
    assert len(results) == 1, results
    return results[0]


@pytest.fixture
def rsa(dns_server: DNSTestServer) -> Key:
    key = rsa_key(2048)
    key.publish(dns_server, "sel", DOMAIN)
    return key


# RFC 8463 Appendix A: one message, an ed25519-sha256 and an rsa-sha256 signature.


def _zone_records(text: str) -> list[tuple[str, str]]:
    found = re.findall(r'^(\S+)\s+\d+\s+IN\s+TXT\s+"([^"]*)"', text, re.MULTILINE)
    return [(name.rstrip("."), value) for name, value in found]


def test_rfc8463_example_both_signatures_verify(
    dns_server: DNSTestServer, resolver: Resolver
) -> None:
    zone = shared_path("testdata/dkim-rfc8463/zone.txt").read_text()
    for name, value in _zone_records(zone):
        dns_server.add(name, "TXT", value)
    raw = shared_path("testdata/dkim-rfc8463/message.eml").read_bytes()
    results = verify(raw, resolver)
    assert [(r.algorithm, r.result, r.proof) for r in results] == [
        ("ed25519-sha256", "pass", True),
        ("rsa-sha256", "pass", True),
    ]
    assert {r.selector for r in results} == {"brisbane", "test"}
    assert all(r.domain == "football.example.com" for r in results)


# What must pass.


def test_rsa_sha256_passes(rsa: Key, resolver: Resolver) -> None:
    result = only(verify(sign(message(), rsa, domain=DOMAIN), resolver))
    assert (result.result, result.proof, result.algorithm) == ("pass", True, "rsa-sha256")


def test_ed25519_sha256_passes(dns_server: DNSTestServer, resolver: Resolver) -> None:
    key = ed25519_key()
    key.publish(dns_server, "ed", DOMAIN)
    result = only(verify(sign(message(), key, domain=DOMAIN, selector="ed"), resolver))
    assert (result.result, result.proof, result.algorithm) == ("pass", True, "ed25519-sha256")


def test_1024_bit_rsa_key_is_the_minimum_accepted(
    dns_server: DNSTestServer, resolver: Resolver
) -> None:
    key = rsa_key(1024)
    key.publish(dns_server, "k1024", DOMAIN)
    assert only(verify(sign(message(), key, domain=DOMAIN, selector="k1024"), resolver)).proof


def test_every_signature_is_reported(
    dns_server: DNSTestServer, rsa: Key, resolver: Resolver
) -> None:
    other = ed25519_key()
    other.publish(dns_server, "ed", "relay.example")
    raw = sign(sign(message(), rsa, domain=DOMAIN), other, domain="relay.example", selector="ed")
    results = verify(raw, resolver)
    assert [(r.domain, r.result) for r in results] == [("relay.example", "pass"), (DOMAIN, "pass")]


def test_unexpired_x_passes(rsa: Key, resolver: Resolver) -> None:
    raw = sign_with_tags(message(), rsa, domain=DOMAIN, extra=(("x", str(int(time.time()) + 600)),))
    assert only(verify(raw, resolver)).result == "pass"


def test_large_key_arrives_over_tcp(dns_server: DNSTestServer, resolver: Resolver) -> None:
    key = rsa_key(4096)  # its key record does not fit a 512-byte UDP answer
    key.publish(dns_server, "big", DOMAIN)
    assert only(verify(sign(message(), key, domain=DOMAIN, selector="big"), resolver)).proof
    assert dns_server.count("big._domainkey.vst.gov.vn", "TXT", "tcp") == 1


# What must not be a proof.


def test_altered_body_fails(rsa: Key, resolver: Resolver) -> None:
    raw = sign(message(), rsa, domain=DOMAIN).replace(b"da duoc xu ly", b"can ma PIN ngay")
    result = only(verify(raw, resolver))
    assert (result.result, result.proof) == ("fail", False)
    assert "body hash" in result.reason


def test_rewritten_from_fails(rsa: Key, resolver: Resolver) -> None:
    raw = sign(message(), rsa, domain=DOMAIN).replace(
        b"<hotrocntt@vst.gov.vn>", b"<hotrocntt@vst-gov.vn>"
    )
    assert only(verify(raw, resolver)).result == "fail"


def test_second_from_added_fails(rsa: Key, resolver: Resolver) -> None:
    signed = sign(message(), rsa, domain=DOMAIN)
    raw = signed.replace(b"To: ", b"From: Ho tro <evil@attacker.example>\r\nTo: ", 1)
    assert only(verify(raw, resolver)).result == "fail"


def test_h_without_from_fails(rsa: Key, resolver: Resolver) -> None:
    raw = sign_with_tags(message(), rsa, domain=DOMAIN, headers=("to", "subject", "date"))
    result = only(verify(raw, resolver))
    assert (result.result, result.proof) == ("fail", False)
    assert "From" in result.reason


def test_l_tag_with_appended_text_is_no_proof(rsa: Key, resolver: Resolver) -> None:
    signed = sign(message(), rsa, domain=DOMAIN, length=True)
    exact = only(verify(signed, resolver))
    assert (exact.result, exact.proof) == ("pass", True)
    appended = signed + b"Gui ma PIN token cho so 0912345678 de kich hoat.\r\n"
    result = only(verify(appended, resolver))
    assert (result.result, result.proof) == ("pass", False)
    assert result.body_length is not None and "l=" in result.reason


def test_rsa_sha1_fails(rsa: Key, resolver: Resolver) -> None:
    raw = sign(message(), rsa, domain=DOMAIN, algorithm="rsa-sha1")
    result = only(verify(raw, resolver))
    assert (result.result, result.algorithm, result.proof) == ("fail", "rsa-sha1", False)


def test_512_bit_key_fails(dns_server: DNSTestServer, resolver: Resolver) -> None:
    key = rsa_key(512)
    key.publish(dns_server, "weak", DOMAIN)
    result = only(verify(sign(message(), key, domain=DOMAIN, selector="weak"), resolver))
    assert (result.result, result.proof) == ("fail", False)
    assert "512" in result.reason


def test_expired_x_fails(rsa: Key, resolver: Resolver) -> None:
    # Expired one minute ago: inside dkimpy's ten hours of slack, so dkimpy alone passes it.
    raw = sign_with_tags(message(), rsa, domain=DOMAIN, extra=(("x", str(int(time.time()) - 60)),))
    result = only(verify(raw, resolver))
    assert (result.result, result.proof) == ("fail", False)
    assert "expired" in result.reason


def test_missing_key_is_permerror(rsa: Key, resolver: Resolver) -> None:
    result = only(verify(sign(message(), rsa, domain=DOMAIN, selector="nokey"), resolver))
    assert result.result == "permerror"


def test_key_found_among_other_txt_records(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.add("sel._domainkey.vst.gov.vn", "TXT", "site-verification=123")
    rsa_key(2048).publish(dns_server, "sel", DOMAIN)
    assert only(verify(sign(message(), rsa_key(2048), domain=DOMAIN), resolver)).proof


def test_revoked_key_fails(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.add("gone._domainkey.vst.gov.vn", "TXT", "v=DKIM1; k=rsa; p=")
    result = only(verify(sign(message(), rsa_key(2048), domain=DOMAIN, selector="gone"), resolver))
    assert (result.result, result.reason) == ("fail", "key revoked (empty p=)")


def test_key_of_other_type_fails(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.add("sel._domainkey.vst.gov.vn", "TXT", ed25519_key().record())
    assert only(verify(sign(message(), rsa_key(2048), domain=DOMAIN), resolver)).result == "fail"


def test_key_lookup_timeout_is_temperror(dns_server: DNSTestServer) -> None:
    dns_server.timeout("sel._domainkey.vst.gov.vn")
    resolver = Resolver([dns_server.address], timeout=0.2)
    result = only(verify(sign(message(), rsa_key(2048), domain=DOMAIN), resolver))
    assert (result.result, result.proof) == ("temperror", False)


def test_key_lookup_servfail_is_temperror(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.servfail("sel._domainkey.vst.gov.vn")
    assert only(verify(sign(message(), rsa_key(2048), domain=DOMAIN), resolver)).result == (
        "temperror"
    )


def test_malformed_signature_is_permerror(resolver: Resolver) -> None:
    raw = b"DKIM-Signature: v=1; a=rsa-sha256; d\r\n" + message()
    assert only(verify(raw, resolver)).result == "permerror"


def test_unsigned_message_has_no_results(resolver: Resolver) -> None:
    assert verify(message(), resolver) == ()


def test_unparsable_header_does_not_raise(resolver: Resolver) -> None:
    raw = b" folded first line\r\nDKIM-Signature: v=1\r\n\r\nbody"
    assert [r.result for r in verify(raw, resolver)] == ["permerror"]


# Interoperability: signatures made by Mail::DKIM (Perl), not by dkimpy.


@pytest.fixture
def perl_signer() -> None:
    if not signing.perl_signer_available():
        if os.environ.get("CI") == "true":
            pytest.fail("libmail-dkim-perl (dkimproxy-sign) must be installed in CI (.ci/run)")
        pytest.skip("libmail-dkim-perl is not installed (apt-get install libmail-dkim-perl)")


@pytest.mark.parametrize("method", ["relaxed", "simple", "relaxed/simple"])
def test_mail_dkim_perl_signature_verifies(
    perl_signer: None, rsa: Key, resolver: Resolver, method: str
) -> None:
    raw = signing.perl_sign(message(), rsa, domain=DOMAIN, method=method)
    result = only(verify(raw, resolver))
    assert (result.result, result.proof, result.domain) == ("pass", True, DOMAIN)
    tampered = raw.replace(b"da duoc xu ly", b"da bi huy")
    assert only(verify(tampered, resolver)).result == "fail"
