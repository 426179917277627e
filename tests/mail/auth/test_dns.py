"""The resolver against the real test DNS server: cache, TTL, truncation, failures, budget."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.mail.auth.dns import Deadline, DNSTempError, Resolver, parse_nameserver
from tests.dnsserver import DNSTestServer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        (" 10.0.0.2:53 ", ("10.0.0.2", 53)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
    ],
)
def test_nameserver_forms(spec: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(spec) == expected


def test_nameserver_host_name_is_resolved_once() -> None:
    assert parse_nameserver("localhost:5353") in {("127.0.0.1", 5353), ("::1", 5353)}


@pytest.mark.parametrize("spec", ["127.0.0.1:0", "127.0.0.1:70000", ":53", "1.2.3.4:x"])
def test_bad_nameserver_is_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_nameserver(spec)


def test_record_types_and_cname(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.add("vst.gov.vn", "A", "203.0.113.10")
    dns_server.add("vst.gov.vn", "AAAA", "2001:db8::10")
    dns_server.add("vst.gov.vn", "MX", (10, "mail.vst.gov.vn"))
    dns_server.add("10.113.0.203.in-addr.arpa", "PTR", "mail.vst.gov.vn")
    dns_server.add("www.vst.gov.vn", "CNAME", "vst.gov.vn")
    assert resolver.addresses("vst.gov.vn", "A") == ["203.0.113.10"]
    assert resolver.addresses("vst.gov.vn", "AAAA") == ["2001:db8::10"]
    assert resolver.mx("vst.gov.vn") == [(10, "mail.vst.gov.vn")]
    assert resolver.ptr("10.113.0.203.in-addr.arpa") == ["mail.vst.gov.vn"]
    assert resolver.addresses("www.vst.gov.vn", "A") == ["203.0.113.10"]
    assert resolver.txt("nothing.vst.gov.vn") == []


def test_truncated_answer_is_retried_over_tcp(
    dns_server: DNSTestServer, resolver: Resolver
) -> None:
    dns_server.add("big.example", "TXT", "k" * 1500)
    assert b"".join(resolver.txt("big.example")[0]) == b"k" * 1500
    assert dns_server.count("big.example", "TXT", "udp") == 1
    assert dns_server.count("big.example", "TXT", "tcp") == 1
    assert resolver.stats.queries_sent == 2


def test_answers_are_cached_and_counted(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.add("vst.gov.vn", "TXT", "v=spf1 -all")
    deadline = Deadline(5.0)
    for _ in range(3):
        assert resolver.txt("VST.gov.vn.", deadline) == [(b"v=spf1 -all",)]
    assert dns_server.count() == 1
    assert (deadline.lookups, deadline.queries_sent) == (1, 1)
    assert (resolver.stats.cache_hits, resolver.stats.cache_misses) == (2, 1)


def test_ttl_is_respected(dns_server: DNSTestServer) -> None:
    clock = FakeClock()
    resolver = Resolver([dns_server.address], timeout=0.5, clock=clock)
    dns_server.add("short.example", "A", "192.0.2.1", ttl=60)
    dns_server.add("zero.example", "A", "192.0.2.2", ttl=0)
    for name in ("short.example", "zero.example", "short.example", "zero.example"):
        resolver.lookup(name, "A")
    assert (dns_server.count("short.example"), dns_server.count("zero.example")) == (1, 2)
    clock.now += 61
    resolver.lookup("short.example", "A")
    assert dns_server.count("short.example") == 2


def test_negative_answers_are_cached_briefly(dns_server: DNSTestServer) -> None:
    clock = FakeClock()
    resolver = Resolver([dns_server.address], timeout=0.5, negative_ttl=30, clock=clock)
    dns_server.add("sel._domainkey.example", "TXT", "v=DKIM1; p=")
    for name in ("missing.example", "_domainkey.example"):  # NXDOMAIN, then NODATA
        assert resolver.txt(name) == []
        assert resolver.txt(name) == []
        assert dns_server.count(name) == 1
    clock.now += 31
    assert resolver.txt("missing.example") == []
    assert dns_server.count("missing.example") == 2


def test_cache_is_bounded(dns_server: DNSTestServer) -> None:
    resolver = Resolver([dns_server.address], timeout=0.5, cache_size=2)
    for name in ("a.example", "b.example", "c.example", "a.example"):
        resolver.txt(name)
    assert dns_server.count("a.example") == 2  # evicted by c.example


def test_servfail_is_a_temporary_error(dns_server: DNSTestServer, resolver: Resolver) -> None:
    dns_server.servfail("broken.example")
    with pytest.raises(DNSTempError, match="SERVFAIL"):
        resolver.txt("broken.example")


def test_silence_is_a_timeout_within_the_lookup_timeout(dns_server: DNSTestServer) -> None:
    dns_server.timeout("silent.example")
    resolver = Resolver([dns_server.address], timeout=0.3)
    started = time.monotonic()
    with pytest.raises(DNSTempError, match="timeout"):
        resolver.txt("silent.example")
    assert time.monotonic() - started < 0.8


def test_spent_budget_fails_at_once_without_a_query(
    dns_server: DNSTestServer, resolver: Resolver
) -> None:
    dns_server.add("vst.gov.vn", "TXT", "v=spf1 -all")
    deadline = Deadline(0.0)
    with pytest.raises(DNSTempError, match="budget"):
        resolver.txt("vst.gov.vn", deadline)
    assert dns_server.count() == 0


def test_budget_caps_a_slow_lookup(dns_server: DNSTestServer) -> None:
    dns_server.never_answer()
    resolver = Resolver([dns_server.address], timeout=2.0)
    started = time.monotonic()
    with pytest.raises(DNSTempError):
        resolver.txt("vst.gov.vn", Deadline(0.3))
    assert time.monotonic() - started < 0.8


def test_names_that_cannot_exist_are_empty(dns_server: DNSTestServer, resolver: Resolver) -> None:
    assert resolver.txt("a" * 64 + ".example") == []
    assert resolver.txt("a..example") == []
    assert resolver.txt("") == []
    assert dns_server.count() == 0


def test_one_resolver_serves_many_threads(dns_server: DNSTestServer, resolver: Resolver) -> None:
    for i in range(20):
        dns_server.add(f"h{i}.example", "A", f"192.0.2.{i + 1}")
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda i: resolver.addresses(f"h{i % 20}.example", "A"), range(200)))
    assert all(found[i] == [f"192.0.2.{i % 20 + 1}"] for i in range(200))
    assert resolver.stats.cache_hits + resolver.stats.cache_misses == 200
