"""The stand-in Zalo API, one per test, and a client of it as the app builds one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.zalo.client import ZaloApi
from tests.zalo.standin import StandIn, running_standin


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with running_standin() as state:
        yield state


@pytest.fixture
async def zalo_api(standin: StandIn) -> AsyncIterator[ZaloApi]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5)) as http:
        yield ZaloApi(http, api_base=standin.base_url, oauth_base=standin.base_url)
