"""Received events: stored by the webhook, claimed and turned into replies by a worker."""

from __future__ import annotations

import datetime as dt
import logging
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.models import utcnow
from app.zalo.events import Event
from app.zalo.leases import changed, free
from app.zalo.models import EventStatus, ReplyStatus, ZaloEvent, ZaloReply

log = logging.getLogger("thatgia.zalo")


class Stored(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # Zalo sent it again: acknowledged, not processed twice


async def store_event(database: Database, event: Event, raw_body: bytes) -> Stored:
    """Keep the event for the worker; the unique key turns a redelivery into a no-op."""
    row = ZaloEvent(
        event_key=event.key[:200],
        event_name=event.event_name[:64],
        user_id=event.user_id[:64],
        body=raw_body.decode("utf-8", errors="replace"),
        status=EventStatus.RECEIVED,
        received_at=utcnow(),
    )
    async with database.write_session() as session:
        session.add(row)
        try:
            await session.commit()
        except IntegrityError:
            await session.rollback()
            return Stored.DUPLICATE
    return Stored.ACCEPTED


async def claim_events(database: Database, limit: int, lease: float) -> list[ZaloEvent]:
    """Up to `limit` events no other worker holds, each claimed by a conditional UPDATE."""
    now = utcnow()
    until = now + dt.timedelta(seconds=lease)
    lockable = (ZaloEvent.status == EventStatus.RECEIVED, free(ZaloEvent.locked_until, now))
    claimed: list[ZaloEvent] = []
    async with database.write_session() as session:
        rows = await session.scalars(
            select(ZaloEvent).where(*lockable).order_by(ZaloEvent.id).limit(limit)
        )
        for row in list(rows):
            result = await session.execute(
                update(ZaloEvent)
                .where(ZaloEvent.id == row.id, *lockable)
                .values(locked_until=until)
                .execution_options(synchronize_session=False)
            )
            if changed(result) == 1:
                claimed.append(row)
        await session.commit()
    return claimed


async def finish_event(
    database: Database,
    event: ZaloEvent,
    reply: str | None,
    verdict: str | None,
    *,
    keep_body: bool,
) -> bool:
    """Record the outcome and queue the reply in one transaction; False if already done.

    The forwarded message is dropped from the row once answered, unless texts are kept
    (THATGIA_AUDIT_KEEP_TEXT): the key that stops Zalo's redeliveries is all that must stay.
    """
    now = utcnow()
    done: dict[str, object] = {"status": EventStatus.DONE, "processed_at": now, "verdict": verdict}
    if not keep_body:
        done["body"] = ""
    async with database.write_session() as session:
        result = await session.execute(
            update(ZaloEvent)
            .where(ZaloEvent.id == event.id, ZaloEvent.status == EventStatus.RECEIVED)
            .values(**done, locked_until=None)
        )
        if changed(result) != 1:
            await session.rollback()
            return False  # another worker finished it after our lease ran out
        if reply is not None:
            session.add(
                ZaloReply(
                    event_id=event.id,
                    user_id=event.user_id,
                    text=reply,
                    status=ReplyStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        await session.commit()
    return True


async def fail_event(database: Database, event: ZaloEvent, error: str) -> None:
    """An event that cannot be processed stays visible instead of being retried forever."""
    log.error("Zalo event %s could not be processed: %s", event.event_key, error)
    async with database.write_session() as session:
        await session.execute(
            update(ZaloEvent)
            .where(ZaloEvent.id == event.id, ZaloEvent.status == EventStatus.RECEIVED)
            .values(status=EventStatus.FAILED, error=error[:2000], locked_until=None)
        )
        await session.commit()
