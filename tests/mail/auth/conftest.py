"""Fixtures of the mail authentication tests: a real DNS server and a resolver pointed at it."""

from __future__ import annotations

import pytest

from app.mail.auth.dns import Resolver
from tests.dnsserver import DNSTestServer, dns_server

__all__ = ["dns_server"]


@pytest.fixture
def resolver(dns_server: DNSTestServer) -> Resolver:
    """A fresh resolver (empty cache) using only the test DNS server."""
    return Resolver([dns_server.address], timeout=0.5)
