"""A mail check whose client goes away stops its work: no more DNS look-ups are sent."""

from __future__ import annotations

import anyio
import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from tests.conftest import KeyMaker, bearer, live_server
from tests.dnsserver import DNSTestServer, dns_server
from tests.mail.auth.signing import rsa_key, sign
from tests.mail.test_router import RFC822, mail

__all__ = ["dns_server"]


@pytest.fixture
def settings(database_url: str, dns_server: DNSTestServer) -> Settings:
    # A server that never answers and a long budget: left alone, the check would go on
    # with its next look-ups (the DMARC record, then SPF) each time one gives up, 2 s apart.
    dns_server.never_answer()
    return Settings(
        database_url=database_url,
        dns_nameservers=[dns_server.address],
        dns_timeout=2.0,
        dns_budget=10.0,
    )


async def test_dns_lookups_stop_when_the_client_leaves(
    app: FastAPI, make_key: KeyMaker, dns_server: DNSTestServer
) -> None:
    headers = {**RFC822, **bearer(await make_key("gateway"))}
    raw = sign(mail(), rsa_key(1024), domain="vst.gov.vn")
    async with live_server(app) as base, httpx.AsyncClient(base_url=base) as http:
        with anyio.move_on_after(0.5):  # the client gives up and closes its connection
            await http.post(
                "/v1/mail/check",
                content=raw,
                headers=headers,
                params={"client_ip": "192.0.2.10", "mail_from": "bounce@vst.gov.vn"},
            )
        await anyio.sleep(2.3)  # the look-up in flight runs out its own timeout
        sent = len(dns_server.queries)
        await anyio.sleep(3.0)
        assert sent > 0 and len(dns_server.queries) == sent
