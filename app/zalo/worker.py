"""The delivery worker: stored events become replies, replies go out through the OA API.

One per process, started by the application's lifespan. Events this process's webhook
stored (leased to it) are handed over in memory and answered at once; the database is
polled every THATGIA_ZALO_POLL_SECONDS for the rest: events and replies whose process
died, and replies whose retry fell due. All state is in the database, so any number of
processes and replicas run side by side, and a restart resumes whatever was pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

from sqlalchemy.engine import Connection

from app.metrics import observe_zalo_reply
from app.services import Services
from app.store.batcher import Batcher, GroupWriter, in_transaction
from app.store.database import Database
from app.zalo.client import Outcome, SendResult, ZaloApi
from app.zalo.events import parse_event
from app.zalo.inbox import (
    Inbound,
    claim_events,
    fail_event,
    finish_events,
    release_events,
    store_events,
)
from app.zalo.media import MediaFetcher
from app.zalo.models import ReplyStatus
from app.zalo.outbox import (
    Claimed,
    claim_replies,
    next_state,
    observe,
    record,
    release_replies,
)
from app.zalo.respond import Answer, answer
from app.zalo.tokens import TokenStore, TokenUnavailable

log = logging.getLogger("thatgia.zalo")

EVENT_BATCH = 50


class Worker:
    def __init__(
        self,
        services: Services,
        api: ZaloApi,
        tokens: TokenStore,
        writer: GroupWriter,
        media: MediaFetcher | None = None,
    ) -> None:
        self.services = services
        self.media = media
        self.settings = services.settings
        self.api = api
        self.tokens = tokens
        self.writer = writer
        # The webhook's inserts: one multi-row INSERT for the events that arrive together.
        self.intake = Batcher(in_transaction(lambda: services.database, store_events))
        self._events: deque[Inbound] = deque()
        self._replies: deque[Claimed] = deque()
        self._inflight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._next_poll = 0.0
        self._stopping = False
        self._loop: asyncio.Task[None] | None = None
        # A send (refresh, send, resend) must end well within its reply's lease.
        settings = self.settings
        self._margin = min(3 * settings.zalo_http_timeout, settings.zalo_lease_seconds / 2)

    @property
    def database(self) -> Database | None:
        database: Database | None = self.services.database
        return database

    @property
    def _slots(self) -> int:
        return self.settings.zalo_send_concurrency - len(self._inflight)

    async def take(self, row: dict[str, Any]) -> bool:
        """Store a webhook's event, leased to this process, and answer it now; False for one
        Zalo had delivered before."""
        stored = await self.intake.submit(row)
        if stored is None:
            return False
        self.accept(stored)
        return True

    def accept(self, event: Inbound) -> None:
        """An event this process's webhook stored and holds the lease of: answer it now."""
        self._events.append(event)
        self._wake.set()

    def start(self) -> None:
        self._loop = asyncio.create_task(self._run(), name="zalo-delivery")

    async def stop(self, grace: float) -> None:
        """Stop; give back the leases of work not begun; let sends under way finish within
        `grace` seconds, then cancel them. A send cancelled mid-flight keeps its lease:
        when it runs out the reply is tried again (Zalo may have received it, or not)."""
        self._stopping = True
        self._wake.set()
        if self._loop is not None:
            await self._loop
        await self._release_queued()
        if self._inflight:
            _, pending = await asyncio.wait(self._inflight, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.step()
            except Exception:  # the database may be down: log, wait, try again
                log.exception("Zalo delivery pass failed")
                self._next_poll = time.monotonic() + self.settings.zalo_poll_seconds
            if self._events or (self._replies and self._slots > 0):
                continue
            with contextlib.suppress(TimeoutError):
                wait = max(0.0, self._next_poll - time.monotonic())
                await asyncio.wait_for(self._wake.wait(), wait)

    async def step(self) -> None:
        """One pass: poll if due, answer waiting events, start sends in free slots."""
        database = self.database
        if database is None or self._stopping:
            return
        if time.monotonic() >= self._next_poll:
            await self._poll(database)
        batch = [self._events.popleft() for _ in range(min(EVENT_BATCH, len(self._events)))]
        if batch:
            await self._answer(batch)
        self._start_sends()

    async def _poll(self, database: Database) -> None:
        """Claim work nobody holds; look again at once if there may be more."""
        lease = self.settings.zalo_lease_seconds
        events = await claim_events(database, EVENT_BATCH, lease)
        self._events.extend(events)
        room = self._slots - len(self._replies)
        replies = await claim_replies(database, room, lease) if room > 0 else []
        self._replies.extend(replies)
        full = len(events) == EVENT_BATCH or (room > 0 and len(replies) == room)
        self._next_poll = time.monotonic() + (0 if full else self.settings.zalo_poll_seconds)

    def _start_sends(self) -> None:
        while self._replies and self._slots > 0:
            claimed = self._replies.popleft()
            if not claimed.held(self._margin):
                continue  # its lease is nearly out: left to whoever claims it next
            task = asyncio.create_task(self._deliver(claimed))
            self._inflight.add(task)
            task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._wake.set()  # a sending slot is free

    async def _answer(self, batch: list[Inbound]) -> None:
        """Answer a batch of events; their outcomes and replies go in one transaction."""
        answers = await asyncio.gather(*(self._compose(event) for event in batch))
        answered = [(event, a) for event, a in zip(batch, answers, strict=True) if a is not None]
        if answered:
            keep, lease = self.settings.audit_keep_text, self.settings.zalo_lease_seconds
            replies = await self.writer.run(
                lambda conn: finish_events(conn, answered, keep_body=keep, lease=lease)
            )
            self._replies.extend(replies)

    async def _compose(self, event: Inbound) -> Answer | None:
        """The answer to an event; None (and the event marked failed) if that failed."""
        parsed = parse_event(event.body.encode())
        try:
            return await answer(parsed, self.services, self.media) if parsed else Answer(None)
        except Exception as exc:  # a bug on one event must not stall the others
            log.exception("Zalo event %d: no answer", event.id)
            error = f"{type(exc).__name__}: {exc}"
            if await self.writer.run(lambda conn: fail_event(conn, event, error)):
                observe_zalo_reply(ReplyStatus.UNANSWERED)
            return None

    async def _deliver(self, claimed: Claimed) -> None:
        try:
            result = await self._send(claimed)
        except TokenUnavailable as exc:
            result = SendResult(Outcome.RETRY, None, str(exc))
        except Exception as exc:  # e.g. the database went away mid-refresh: try later
            log.exception("Zalo reply %d: send failed", claimed.id)
            result = SendResult(Outcome.RETRY, None, f"{type(exc).__name__}: {exc}")
        values = next_state(claimed, result, self.settings)
        try:
            written = await self.writer.run(lambda conn: record(conn, claimed, values))
        except Exception:  # the lease runs out and the reply is tried again
            log.exception("Zalo reply %d: outcome not recorded", claimed.id)
            return
        observe(claimed, result, str(values.get("status", ReplyStatus.PENDING)), written)

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

    async def _release_queued(self) -> None:
        events, replies = [e.id for e in self._events], list(self._replies)
        self._events.clear()
        self._replies.clear()
        if not (events or replies):
            return

        def release(conn: Connection) -> None:
            release_events(conn, events)
            release_replies(conn, replies)

        try:
            await self.writer.run(release)
        except Exception:  # their leases run out instead
            log.exception("Zalo worker: leases not released at shutdown")
