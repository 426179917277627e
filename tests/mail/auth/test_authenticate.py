"""authenticate(): SPF, every DKIM signature and alignment with the From domain, end to end.

A proof, for the service, is DKIM (or SPF) passing aligned with the From domain. Each rule
is tested on both sides: the genuine message passes, each spoof of it does not.
"""

from __future__ import annotations

import time

import pytest

from app.mail.auth import AuthenticationReport, Resolver, authenticate, authentication_results
from tests.dnsserver import DNSTestServer
from tests.mail.auth.messages import OFFICIAL, message
from tests.mail.auth.signing import Key, ed25519_key, rsa_key, sign, sign_with_tags

DOMAIN = "vst.gov.vn"
TREASURY_IP = "203.0.113.25"
ELSEWHERE_IP = "198.51.100.7"


@pytest.fixture
def official(dns_server: DNSTestServer) -> Key:
    """vst.gov.vn as it would publish itself: DKIM key, SPF and a DMARC record."""
    key = rsa_key(2048)
    key.publish(dns_server, "sel", DOMAIN)
    dns_server.add(DOMAIN, "TXT", "v=spf1 ip4:203.0.113.0/24 -all")
    dns_server.add(f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=reject; rua=mailto:d@vst.gov.vn")
    return key


def check(
    raw: bytes,
    resolver: Resolver,
    *,
    from_domain: str | None = DOMAIN,
    client_ip: str = ELSEWHERE_IP,
    mail_from: str | None = "bounce@mailer.example",
    helo: str = "mx.mailer.example",
    budget: float = 5.0,
) -> AuthenticationReport:
    return authenticate(
        raw,
        client_ip=client_ip,
        helo=helo,
        mail_from=mail_from,
        from_domain=from_domain,
        resolver=resolver,
        budget=budget,
    )


def proven(report: AuthenticationReport) -> bool:
    return report.aligned_with(DOMAIN)


# The genuine message and its spoofs.


def test_official_from_with_aligned_dkim_is_a_proof(official: Key, resolver: Resolver) -> None:
    report = check(sign(message(), official, domain=DOMAIN), resolver)
    assert proven(report)
    assert report.dmarc.result == "pass" and report.dmarc.aligned_by == ("dkim",)
    assert report.dmarc.policy == "reject"


def test_ed25519_signature_is_a_proof(dns_server: DNSTestServer, resolver: Resolver) -> None:
    key = ed25519_key()
    key.publish(dns_server, "ed", DOMAIN)
    assert proven(check(sign(message(), key, domain=DOMAIN, selector="ed"), resolver))


SPOOFS = {
    "body altered": lambda raw: raw.replace(b"da duoc xu ly", b"can gui ma PIN"),
    "From rewritten": lambda raw: raw.replace(OFFICIAL.encode(), b"hotrocntt@vst-gov.vn"),
    "second From added": lambda raw: raw.replace(
        b"To: ", b"From: Ho tro <evil@attacker.example>\r\nTo: ", 1
    ),
}


@pytest.mark.parametrize("spoof", list(SPOOFS))
def test_altered_message_is_no_proof(spoof: str, official: Key, resolver: Resolver) -> None:
    report = check(SPOOFS[spoof](sign(message(), official, domain=DOMAIN)), resolver)
    assert not proven(report)
    assert report.dkim[0].result == "fail"
    assert report.dmarc.result == "fail"


def test_h_without_from_is_no_proof(official: Key, resolver: Resolver) -> None:
    raw = sign_with_tags(message(), official, domain=DOMAIN, headers=("to", "subject"))
    assert not proven(check(raw, resolver))


def test_l_tag_with_appended_text_is_no_proof(official: Key, resolver: Resolver) -> None:
    raw = sign(message(), official, domain=DOMAIN, length=True) + b"Gui ma PIN ngay.\r\n"
    report = check(raw, resolver)
    assert report.dkim[0].result == "pass" and not report.dkim[0].proof
    assert not proven(report)


def test_rsa_sha1_is_no_proof(official: Key, resolver: Resolver) -> None:
    assert not proven(
        check(sign(message(), official, domain=DOMAIN, algorithm="rsa-sha1"), resolver)
    )


def test_512_bit_key_is_no_proof(dns_server: DNSTestServer, resolver: Resolver) -> None:
    key = rsa_key(512)
    key.publish(dns_server, "weak", DOMAIN)
    assert not proven(check(sign(message(), key, domain=DOMAIN, selector="weak"), resolver))


def test_expired_signature_is_no_proof(official: Key, resolver: Resolver) -> None:
    expired = (("x", str(int(time.time()) - 60)),)
    assert not proven(
        check(sign_with_tags(message(), official, domain=DOMAIN, extra=expired), resolver)
    )


def test_valid_signature_of_another_domain_is_no_proof(
    dns_server: DNSTestServer, official: Key, resolver: Resolver
) -> None:
    key = rsa_key(2048)
    key.publish(dns_server, "s", "attacker.example")
    report = check(sign(message(), key, domain="attacker.example", selector="s"), resolver)
    assert report.dkim[0].result == "pass" and not proven(report)


def test_another_gov_vn_agency_does_not_align(
    dns_server: DNSTestServer, resolver: Resolver
) -> None:
    # gov.vn is a public suffix: mof.gov.vn and vst.gov.vn are different organisations.
    key = rsa_key(2048)
    key.publish(dns_server, "s", "mof.gov.vn")
    report = check(sign(message(), key, domain="mof.gov.vn", selector="s"), resolver)
    assert report.dmarc.org_domain == DOMAIN and not proven(report)


def test_subdomain_signature_aligns_relaxed_only(
    dns_server: DNSTestServer, resolver: Resolver
) -> None:
    key = rsa_key(2048)
    key.publish(dns_server, "s", f"mail.{DOMAIN}")
    raw = sign(message(), key, domain=f"mail.{DOMAIN}", selector="s")
    assert proven(check(raw, resolver))
    dns_server.add(f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=reject; adkim=s")
    assert not proven(check(raw, Resolver([dns_server.address], timeout=0.5)))


# SPF and its alignment.


def test_spf_pass_aligned_is_a_proof(official: Key, resolver: Resolver) -> None:
    report = check(message(), resolver, client_ip=TREASURY_IP, mail_from=f"bounce@{DOMAIN}")
    assert report.spf.result == "pass" and report.dmarc.aligned_by == ("spf",)
    assert proven(report)


def test_spf_pass_not_aligned_is_no_proof(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.add("mailer.example", "TXT", "v=spf1 ip4:198.51.100.0/24 -all")
    report = check(message(), resolver)
    assert report.spf.result == "pass" and report.spf.domain == "mailer.example"
    assert not proven(report)


def test_spf_fail_for_official_envelope(official: Key, resolver: Resolver) -> None:
    report = check(message(), resolver, mail_from=OFFICIAL)
    assert report.spf.result == "fail" and not proven(report)


def test_null_sender_checks_helo(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.add(f"mail.{DOMAIN}", "TXT", "v=spf1 ip4:203.0.113.25 -all")
    report = check(message(), resolver, client_ip=TREASURY_IP, mail_from="", helo=f"mail.{DOMAIN}")
    assert (report.spf.scope, report.spf.domain, report.spf.result) == (
        "helo",
        f"mail.{DOMAIN}",
        "pass",
    )
    assert report.dmarc.aligned_by == ("spf",)


def test_spf_strict_alignment(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.add(f"mail.{DOMAIN}", "TXT", "v=spf1 ip4:203.0.113.25 -all")
    dns_server.add(f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=reject; aspf=s")
    report = check(message(), resolver, client_ip=TREASURY_IP, mail_from=f"b@mail.{DOMAIN}")
    assert report.spf.result == "pass" and report.dmarc.aligned_by == ()


def test_spf_servfail_is_temperror(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.servfail(DOMAIN, "TXT")
    report = check(message(), resolver, mail_from=OFFICIAL)
    assert report.spf.result == "temperror"


# Policy discovery.


def test_dmarc_record_found_at_org_domain(
    dns_server: DNSTestServer, official: Key, resolver: Resolver
) -> None:
    dns_server.remove(f"_dmarc.{DOMAIN}")
    dns_server.add(f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=reject; sp=quarantine")
    raw = sign(message(sender="Tin <tin@news.vst.gov.vn>"), official, domain=DOMAIN)
    report = check(raw, resolver, from_domain=f"news.{DOMAIN}")
    assert report.dmarc.record_domain == DOMAIN
    assert (report.dmarc.result, report.dmarc.policy) == ("pass", "quarantine")
    assert report.dmarc.aligned_by == ("dkim",)


def test_two_dmarc_records_mean_none(
    dns_server: DNSTestServer, official: Key, resolver: Resolver
) -> None:
    dns_server.add(f"_dmarc.{DOMAIN}", "TXT", "v=DMARC1; p=none")
    report = check(sign(message(), official, domain=DOMAIN), resolver)
    assert (report.dmarc.result, report.dmarc.policy) == ("none", None)
    assert "2 DMARC records" in report.dmarc.reason
    assert report.dmarc.aligned_by == ("dkim",)  # the signature itself still aligns


def test_non_dmarc_txt_records_are_ignored(
    dns_server: DNSTestServer, official: Key, resolver: Resolver
) -> None:
    dns_server.add(f"_dmarc.{DOMAIN}", "TXT", "google-site-verification=abc")
    assert check(sign(message(), official, domain=DOMAIN), resolver).dmarc.result == "pass"


def test_no_dmarc_record_still_computes_alignment(
    dns_server: DNSTestServer, resolver: Resolver
) -> None:
    key = rsa_key(2048)
    key.publish(dns_server, "sel", DOMAIN)
    report = check(sign(message(), key, domain=DOMAIN), resolver)
    assert (report.dmarc.result, report.dmarc.aligned_by) == ("none", ("dkim",))


def test_hyphenated_domains_align(dns_server: DNSTestServer, resolver: Resolver) -> None:
    key = rsa_key(2048)
    key.publish(dns_server, "s", "mail.my-org.example")
    dns_server.add("_dmarc.my-org.example", "TXT", "v=DMARC1; p=quarantine")
    raw = sign(
        message(sender="A <a@my-org.example>"), key, domain="mail.my-org.example", selector="s"
    )
    report = check(raw, resolver, from_domain="my-org.example")
    assert report.dmarc.org_domain == "my-org.example"
    assert (report.dmarc.result, report.dmarc.aligned_by) == ("pass", ("dkim",))
    other = check(raw, resolver, from_domain="org.example")
    assert other.dmarc.aligned_by == ()


def test_no_single_from_is_permerror(official: Key, resolver: Resolver) -> None:
    report = check(sign(message(), official, domain=DOMAIN), resolver, from_domain=None)
    assert report.dmarc.result == "permerror" and not proven(report)


# DNS failure and cost.


def test_dns_that_never_answers_gives_temperror_within_budget(
    dns_server: DNSTestServer, official: Key
) -> None:
    raw = sign(message(), official, domain=DOMAIN)
    dns_server.never_answer()
    resolver = Resolver([dns_server.address], timeout=0.4)
    started = time.monotonic()
    report = check(raw, resolver, mail_from=OFFICIAL, budget=1.0)
    assert time.monotonic() - started < 1.5
    assert report.dkim[0].result == "temperror"
    assert report.spf.result == "temperror"
    assert report.dmarc.result == "temperror"
    assert not proven(report) and report.budget_exhausted


def test_warm_cache_sends_no_query(
    dns_server: DNSTestServer, official: Key, resolver: Resolver
) -> None:
    raw = sign(message(), official, domain=DOMAIN)
    cold = check(raw, resolver, client_ip=TREASURY_IP, mail_from=OFFICIAL)
    sent = dns_server.count()
    warm = check(raw, resolver, client_ip=TREASURY_IP, mail_from=OFFICIAL)
    assert cold.dns_queries == sent == 3  # DKIM key, _dmarc, SPF record
    assert warm.dns_queries == 0 and dns_server.count() == sent
    assert (warm.spf, warm.dkim, warm.dmarc) == (cold.spf, cold.dkim, cold.dmarc)


# The Authentication-Results header.


def test_authentication_results_header(official: Key, resolver: Resolver) -> None:
    raw = sign(message(), official, domain=DOMAIN)
    report = check(raw, resolver, client_ip=TREASURY_IP, mail_from=OFFICIAL)
    header = authentication_results(report, "gw.donvi.example")
    assert header.startswith("gw.donvi.example; spf=pass smtp.mailfrom=hotrocntt@vst.gov.vn; ")
    assert "dkim=pass header.d=vst.gov.vn header.s=sel header.a=rsa-sha256 header.b=" in header
    assert header.endswith("dmarc=pass (p=reject) header.from=vst.gov.vn")


def test_header_lists_every_signature_and_failures(official: Key, resolver: Resolver) -> None:
    raw = sign(
        sign(message(), official, domain=DOMAIN), rsa_key(2048), domain="x.example", selector="q"
    )
    header = authentication_results(check(raw, resolver), "thatgia")
    assert header.count("dkim=") == 2
    assert 'dkim=permerror reason="no key published at q._domainkey.x.example"' in header


def test_header_values_cannot_inject_lines(official: Key, resolver: Resolver) -> None:
    report = check(message(), resolver, mail_from='"a;b"\r\nX-Evil: 1@x.example', helo="h")
    header = authentication_results(report, 'bad id"\r\n')
    assert "\r" not in header and "\n" not in header
    assert header.startswith('"bad id\\"??"; spf=')
