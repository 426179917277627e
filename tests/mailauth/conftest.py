"""Fixtures of the mail authentication tests: a real DNS server and a resolver pointed at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.mailauth.dns import Resolver
from tests.dnsserver import DNSTestServer, dns_server

__all__ = ["dns_server"]

# The repository is cloned with `shared/` beside it (CI and every developer machine).
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def shared_file(relative: str) -> Path:
    """A file of the shared test data; fails (never skips) when it is missing."""
    path = (SHARED / relative).resolve()
    if not path.is_file():
        pytest.fail(f"shared test data missing: {path} (clone the repository beside shared/)")
    return path


@pytest.fixture
def resolver(dns_server: DNSTestServer) -> Resolver:
    """A fresh resolver (empty cache) using only the test DNS server."""
    return Resolver([dns_server.address], timeout=0.5)
