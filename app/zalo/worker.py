"""The delivery worker: stored events become replies, replies go out through the OA API.

One per process, started by the application's lifespan. All its state is in the database,
so any number of processes and replicas can run it side by side, and a restart resumes
whatever was pending. It wakes at once when this process's webhook stores an event, and
otherwise polls for work left by others and for retries that fell due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.db import Database
from app.services import Services
from app.zalo.client import Outcome, SendResult, ZaloApi
from app.zalo.events import parse_event
from app.zalo.inbox import claim_events, fail_event, finish_event
from app.zalo.models import ZaloEvent
from app.zalo.outbox import Claimed, claim_replies, record
from app.zalo.respond import Answer, answer
from app.zalo.tokens import TokenStore, TokenUnavailable

log = logging.getLogger("thatgia.zalo")

EVENT_BATCH = 20


class Worker:
    def __init__(self, services: Services, api: ZaloApi, tokens: TokenStore) -> None:
        self.services = services
        self.settings = services.settings
        self.api = api
        self.tokens = tokens
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()

    @property
    def database(self) -> Database | None:
        database: Database | None = self.services.database
        return database

    def nudge(self) -> None:
        """Work arrived: look now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name="zalo-delivery")

    async def stop(self, grace: float) -> None:
        """Stop claiming; let sends under way finish within `grace` seconds, then cancel.

        A send cancelled mid-flight keeps its lease: when it runs out, the reply is tried
        again (Zalo may or may not have received the cancelled one)."""
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            await self._loop
        if self._inflight:
            _, pending = await asyncio.wait(self._inflight, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                busy = await self.step()
            except Exception:  # the database may be down: log, wait, try again
                log.exception("Zalo delivery pass failed")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.zalo_poll_seconds)

    async def step(self) -> bool:
        """One pass: turn claimed events into replies, start sending due replies."""
        database = self.database
        if database is None or self._stopping:
            return False
        lease = self.settings.zalo_lease_seconds
        events = await claim_events(database, EVENT_BATCH, lease)
        for event in events:
            await self._process(database, event)
        free = self.settings.zalo_send_concurrency - len(self._inflight)
        replies = await claim_replies(database, free, lease) if free > 0 else []
        for claimed in replies:
            task = asyncio.create_task(self._deliver(database, claimed))
            self._inflight.add(task)
            task.add_done_callback(self._sent)
        return bool(events or replies)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._wake.set()  # a sending slot is free

    async def _process(self, database: Database, event: ZaloEvent) -> None:
        parsed = parse_event(event.body.encode())
        try:
            result = await answer(parsed, self.services) if parsed else Answer(None)
        except Exception as exc:  # a bug on one event must not stall the others
            log.exception("Zalo event %d: no answer", event.id)
            await fail_event(database, event, f"{type(exc).__name__}: {exc}")
            return
        keep = self.settings.audit_keep_text
        await finish_event(database, event, result.text, result.verdict, keep_body=keep)

    async def _deliver(self, database: Database, claimed: Claimed) -> None:
        try:
            result = await self._send(claimed)
        except TokenUnavailable as exc:
            result = SendResult(Outcome.RETRY, None, str(exc))
        except Exception as exc:  # e.g. the database went away mid-refresh: try later
            log.exception("Zalo reply %d: send failed", claimed.id)
            result = SendResult(Outcome.RETRY, None, f"{type(exc).__name__}: {exc}")
        try:
            await record(database, claimed, result, self.settings)
        except Exception:  # the lease runs out and the reply is tried again
            log.exception("Zalo reply %d: outcome not recorded", claimed.id)

    async def _send(self, claimed: Claimed) -> SendResult:
        """Send once; on a refused token, refresh and send again, once."""
        access = await self.tokens.access()
        result = await self.api.send_text(access.token, claimed.user_id, claimed.text)
        if result.outcome is not Outcome.TOKEN:
            return result
        access = await self.tokens.refresh(access.version)
        result = await self.api.send_text(access.token, claimed.user_id, claimed.text)
        if result.outcome is Outcome.TOKEN:
            detail = f"access token refused right after a refresh: {result.detail}"
            return SendResult(Outcome.RETRY, result.error, detail)
        return result
