"""The database's part of the application's lifespan, whatever application that is:
app.main hands these the services it builds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from app.services import Services
from app.store.campaignindex import CampaignIndex
from app.store.database import Database
from app.store.group_commit import GroupCommit


@asynccontextmanager
async def database_lifecycle(services: Services) -> AsyncIterator[None]:
    """Open the engine and the group-commit writer, register the readiness probe; at
    shutdown write what is queued, then close the engine."""
    database = Database(services.settings)
    writer = GroupCommit(database, timeout=services.settings.database_timeout)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(writer.run)
        database.group_commit = writer
        services.database = database
        services.readiness_probes["database"] = database.ping
        try:
            yield
        finally:
            services.database = None
            writer.close()
    await database.dispose()


@asynccontextmanager
async def campaign_index_lifecycle(services: Services) -> AsyncIterator[None]:
    """Load the campaigns before serving (an outage leaves the index empty until the
    database answers), keep them up while serving."""
    index = CampaignIndex(services.settings)
    await index.refresh()
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(index.keep_up)
        services.campaign_index = index
        try:
            yield
        finally:
            services.campaign_index = None
            tasks.cancel_scope.cancel()
    index.dispose()
