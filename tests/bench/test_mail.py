"""bench.mail: its messages authenticate as meant against the DNS records it publishes."""

from __future__ import annotations

from email import message_from_bytes

from app.mail.auth import Resolver, authenticate
from bench.mail import FORGER, OFFICIAL, corpus_mails, publish
from tests.dnsserver import DNSTestServer


def test_every_message_passes_dkim_and_spf_and_one_forges_the_official_address() -> None:
    mails = corpus_mails()
    assert len(mails) == 14
    assert sum(m.label == "genuine" for m in mails) == 7
    with DNSTestServer() as server:
        publish(server, mails)
        resolver = Resolver([server.address], timeout=2.0)
        for mail in mails:
            from_domain = message_from_bytes(mail.raw)["From"].rpartition("@")[2].rstrip(">")
            report = authenticate(
                mail.raw,
                client_ip=mail.client_ip,
                helo=mail.helo,
                mail_from=mail.mail_from,
                from_domain=from_domain,
                resolver=resolver,
            )
            assert [d.result for d in report.dkim] == ["pass"], mail.raw[:300]
            assert report.spf.result == "pass"
            forged = from_domain == OFFICIAL and mail.signer == FORGER
            assert report.dmarc.result == ("fail" if forged else "pass")
    assert sum(m.signer == FORGER for m in mails) == 1
