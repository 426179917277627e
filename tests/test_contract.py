"""The whole OpenAPI document, fuzzed by schemathesis against the real server (uvicorn on
127.0.0.1, keys of every scope, the Zalo stand-in, the test DNS server): never a 5xx,
every response as the document says, and no Zalo event left unanswered.

Bounded and repeatable: a fixed seed, a fixed number of cases per operation, one worker,
no example database. On failure the assertion shows schemathesis's report, with a curl
command for each failing case.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import pytest
from sqlalchemy import select

from app.config import Settings
from app.main import create_app
from app.store.database import Database
from app.zalo.models import ZaloEvent
from app.zalo.tokens import load_refresh_token
from tests.conftest import KeyMaker, live_server
from tests.dnsserver import DNSTestServer, dns_server
from tests.zalo.standin import running_standin

__all__ = ["dns_server"]

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parent.parent
SEED = "20261208"
CASES_PER_OPERATION = "100"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "unsupported_method",
        "allow_header_conformance",
        "missing_required_header",
    ]
)
OA_SECRET_KEY = "contract-oa-secret-key"


@pytest.mark.timeout(300)
async def test_every_operation_answers_as_the_document_says(
    database_url: str,
    database: Database,
    make_key: KeyMaker,
    dns_server: DNSTestServer,
    tmp_path: Path,
) -> None:
    keys = [
        await make_key("gateway", "support", "admin", name="every-scope"),
        await make_key("gateway", name="gateway"),
        await make_key("support", name="support"),
        await make_key("admin", name="admin"),
    ]
    with running_standin() as standin:
        await load_refresh_token(database, standin.app_id, standin.refresh_token)
        settings = Settings(
            database_url=database_url,
            dns_nameservers=[dns_server.address],
            dns_timeout=0.3,
            dns_budget=1.0,
            zalo_app_id=standin.app_id,
            zalo_oa_secret_key=OA_SECRET_KEY,
            zalo_app_secret=standin.app_secret,
            zalo_api_base=standin.base_url,
            zalo_oauth_base=standin.base_url,
            zalo_poll_seconds=0.1,
        )
        async with live_server(create_app(settings)) as base:
            run = await anyio.run_process(
                schemathesis(base),
                env=environment(keys, standin.app_id),
                cwd=tmp_path,
                check=False,
            )
            report = (run.stdout + run.stderr).decode(errors="replace")
            assert run.returncode == 0, report[-20_000:]
            assert await unanswered_events(database) == []


def schemathesis(base: str) -> list[str]:
    return [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{base}/openapi.json",
        f"--checks={CHECKS}",
        f"--seed={SEED}",
        f"--max-examples={CASES_PER_OPERATION}",
        "--generation-database=none",
        "--workers=1",
        "--request-timeout=20",
        "--no-color",
    ]


def environment(keys: list[str], zalo_app_id: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SCHEMATHESIS_HOOKS": "tests.contract_hooks",
        "THATGIA_CONTRACT_KEYS": ",".join(keys),
        "THATGIA_CONTRACT_ZALO_APP_ID": zalo_app_id,
        "THATGIA_CONTRACT_ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
    }


async def unanswered_events(database: Database) -> list[str]:
    """Events the chatbot failed on (each would be a user left without an answer)."""
    async with database.session() as session:
        failed = await session.scalars(select(ZaloEvent).where(ZaloEvent.status == "failed"))
        return [f"{event.event_key}: {event.error}" for event in failed]
