"""Start and stop of the chatbot: the shared HTTP client to Zalo and the delivery worker."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from app.config import Settings
from app.services import Services
from app.store.batcher import GroupWriter
from app.zalo.client import ZaloApi
from app.zalo.media import MediaFetcher
from app.zalo.tokens import TokenStore
from app.zalo.worker import Worker

log = logging.getLogger("thatgia.zalo")

# Sends under way at shutdown get this long to finish (and be recorded) before cancelling.
STOP_GRACE_SECONDS = 5.0


def configured(settings: Settings) -> bool:
    """Enough to verify webhooks: without these the chatbot is off and its routes 404."""
    return bool(settings.zalo_app_id and settings.zalo_oa_secret_key)


def http_client(settings: Settings) -> httpx.AsyncClient:
    timeout = httpx.Timeout(
        settings.zalo_http_timeout, connect=min(5.0, settings.zalo_http_timeout)
    )
    limits = httpx.Limits(max_connections=settings.zalo_send_concurrency + 2)
    return httpx.AsyncClient(timeout=timeout, limits=limits, headers={"User-Agent": "thatgia"})


@asynccontextmanager
async def zalo_lifecycle(app: FastAPI, services: Services) -> AsyncIterator[None]:
    """Own the HTTP client and the worker for the life of the application."""
    settings = services.settings
    if not configured(settings) or settings.zalo_app_id is None:
        yield
        return
    if settings.zalo_app_secret is None:
        log.warning("THATGIA_ZALO_APP_SECRET is not set: access tokens cannot be refreshed")
    secret = settings.zalo_app_secret.get_secret_value() if settings.zalo_app_secret else ""
    async with http_client(settings) as http:
        api = ZaloApi(http, api_base=settings.zalo_api_base, oauth_base=settings.zalo_oauth_base)
        # The database is looked up at each use: the persistence lifecycle owns it.
        tokens = TokenStore(
            lambda: services.database,
            api,
            app_id=settings.zalo_app_id,
            app_secret=secret,
            lease=3 * settings.zalo_http_timeout,
        )
        media = MediaFetcher(
            http,
            hosts=settings.zalo_media_hosts,
            max_bytes=settings.ocr_max_bytes,
            timeout=settings.zalo_media_timeout,
        )
        writer = GroupWriter(lambda: services.database)
        worker = Worker(services, api, tokens, writer, media)
        services.zalo = worker
        worker.start()
        try:
            yield
        finally:
            services.zalo = None
            await worker.stop(STOP_GRACE_SECONDS)
            await worker.intake.drain()
            await worker.writer.drain()
