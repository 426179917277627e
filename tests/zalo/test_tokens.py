"""The token pair: stored before use, refreshed by one worker at a time, refusals recorded."""

from __future__ import annotations

import anyio
import pytest

from app.config import Settings
from app.store.database import Database
from app.zalo.client import ZaloApi
from app.zalo.tokens import Access, TokenStore, TokenUnavailable, load_refresh_token, token_row
from tests.zalo.standin import StandIn

pytestmark = pytest.mark.anyio


def store_for(database: Database, api: ZaloApi, standin: StandIn) -> TokenStore:
    return TokenStore(
        lambda: database, api, app_id=standin.app_id, app_secret=standin.app_secret, lease=5.0
    )


async def test_without_a_loaded_token_sending_waits_for_set_token(
    database: Database, zalo_api: ZaloApi, standin: StandIn
) -> None:
    with pytest.raises(TokenUnavailable, match="set-token"):
        await store_for(database, zalo_api, standin).access()


async def test_first_access_exchanges_the_refresh_token_and_stores_the_new_pair(
    database: Database, zalo_api: ZaloApi, standin: StandIn, token_loaded: None
) -> None:
    access = await store_for(database, zalo_api, standin).access()
    row = await token_row(database, standin.app_id)
    assert row is not None
    assert (access.token, row.access_token, row.refresh_token) == ("at-1", "at-1", "rt-1")
    assert row.refresh_token == standin.refresh_token  # what Zalo will accept next


async def test_valid_access_token_is_reused_without_refreshing(
    database: Database, zalo_api: ZaloApi, standin: StandIn, token_loaded: None
) -> None:
    tokens = store_for(database, zalo_api, standin)
    await tokens.access()
    await tokens.access()
    assert len(standin.refreshes) == 1


async def test_workers_in_separate_processes_refresh_once_between_them(
    zalo_settings: Settings, zalo_api: ZaloApi, standin: StandIn, token_loaded: None
) -> None:
    # One Database per worker: separate engines and connections, as separate processes have.
    databases = [Database(zalo_settings) for _ in range(4)]
    seen: list[Access] = []

    async def refresh(database: Database) -> None:
        seen.append(await store_for(database, zalo_api, standin).refresh(seen_version=1))

    standin.refresh_delay = 0.3  # the others try while the first exchange is under way
    try:
        async with anyio.create_task_group() as group:
            for database in databases:
                group.start_soon(refresh, database)
    finally:
        for database in databases:
            await database.dispose()
    assert len(standin.refreshes) == 1
    assert {a.token for a in seen} == {"at-1"}


async def test_refused_refresh_is_recorded_and_releases_the_lease(
    database: Database, zalo_api: ZaloApi, standin: StandIn
) -> None:
    await load_refresh_token(database, standin.app_id, "rt-revoked")
    with pytest.raises(TokenUnavailable, match="refresh failed"):
        await store_for(database, zalo_api, standin).access()
    row = await token_row(database, standin.app_id)
    assert row is not None
    assert row.refreshing_until is None
    assert row.last_error and "Invalid refresh token" in row.last_error
    assert row.refresh_token == "rt-revoked"  # kept for the operator to see, not lost


async def test_set_token_again_replaces_the_pair_and_moves_the_version(
    database: Database, standin: StandIn
) -> None:
    first = await load_refresh_token(database, standin.app_id, "rt-a")
    second = await load_refresh_token(database, standin.app_id, "rt-b")
    row = await token_row(database, standin.app_id)
    assert row is not None
    assert second == first + 1
    assert (row.refresh_token, row.access_token) == ("rt-b", None)
