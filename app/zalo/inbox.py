"""Received events: stored by the webhook, turned into replies by a worker.

The webhook stores an event already leased to its own process and hands it to the local
worker in memory, so the usual path needs no claiming query. Should that process die
first, the lease runs out and any worker's poll claims the event (claim_events).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import Database
from app.models import utcnow
from app.zalo.events import Event
from app.zalo.leases import changed, free
from app.zalo.models import EventStatus, ZaloEvent
from app.zalo.outbox import Claimed, new_replies
from app.zalo.respond import Answer

log = logging.getLogger("thatgia.zalo")


@dataclass(frozen=True, slots=True)
class Inbound:
    """A stored event that this process holds the lease of, ready to be answered."""

    id: int
    event_key: str
    user_id: str
    body: str

    @classmethod
    def of(cls, row: ZaloEvent) -> Inbound:
        return cls(row.id, row.event_key, row.user_id, row.body)


def event_row(event: Event, raw_body: bytes, lease: float) -> dict[str, Any]:
    now = utcnow()
    return {
        "event_key": event.key[:200],
        "event_name": event.event_name[:64],
        "user_id": event.user_id[:64],
        "body": raw_body.decode("utf-8", errors="replace"),
        "status": EventStatus.RECEIVED,
        "received_at": now,
        "locked_until": now + dt.timedelta(seconds=lease),
    }


async def store_events(session: AsyncSession, rows: list[dict[str, Any]]) -> list[Inbound | None]:
    """Keep events, leased to this process; None for one Zalo had delivered before.

    One multi-row INSERT for every event of the batch (see group.py). ON CONFLICT DO
    NOTHING, not a caught violation, so a redelivery cannot fail the others' statement."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ZaloEvent)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[ZaloEvent.event_key])
        .returning(ZaloEvent.id, ZaloEvent.event_key)
    )
    inserted = {key: id_ for id_, key in await session.execute(statement)}
    stored: list[Inbound | None] = []
    for row in rows:
        # A key twice in one batch was inserted once: the first is new, the second a repeat.
        id_ = inserted.pop(row["event_key"], None)
        stored.append(Inbound(id_, row["event_key"], row["user_id"], row["body"]) if id_ else None)
    return stored


async def claim_events(database: Database, limit: int, lease: float) -> list[Inbound]:
    """Up to `limit` events nobody holds (their process died), by conditional UPDATEs."""
    now = utcnow()
    until = now + dt.timedelta(seconds=lease)
    lockable = (ZaloEvent.status == EventStatus.RECEIVED, free(ZaloEvent.locked_until, now))
    claimed: list[Inbound] = []
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
                claimed.append(Inbound.of(row))
        await session.commit()
    return claimed


async def finish_events(
    session: AsyncSession, answered: list[tuple[Inbound, Answer]], *, keep_body: bool, lease: float
) -> list[Claimed]:
    """Record the outcomes and queue the replies, leased to this process for a first send.

    Events another worker finished after our lease ran out are left alone. The forwarded
    message is dropped from the row once answered unless texts are kept
    (THATGIA_AUDIT_KEEP_TEXT): the key that stops Zalo's redeliveries is what must stay.
    """
    ids = [event.id for event, _ in answered]
    still_ours = set(
        await session.scalars(
            select(ZaloEvent.id)
            .where(ZaloEvent.id.in_(ids), ZaloEvent.status == EventStatus.RECEIVED)
            .with_for_update()
        )
    )
    mine = [(event, answer) for event, answer in answered if event.id in still_ours]
    if not mine:
        return []
    now = utcnow()
    forget = {} if keep_body else {"body": ""}
    await session.execute(
        update(ZaloEvent),
        [
            {"id": event.id, "status": EventStatus.DONE, "processed_at": now}
            | {"verdict": answer.verdict, "locked_until": None}
            | forget
            for event, answer in mine
        ],
    )
    replies = [(event.id, event.user_id, answer.text) for event, answer in mine if answer.text]
    return await new_replies(session, replies, lease)


async def fail_event(session: AsyncSession, event: Inbound, error: str) -> None:
    """An event that cannot be processed stays visible instead of being retried forever."""
    log.error("Zalo event %s could not be processed: %s", event.event_key, error)
    await session.execute(
        update(ZaloEvent)
        .where(ZaloEvent.id == event.id, ZaloEvent.status == EventStatus.RECEIVED)
        .values(status=EventStatus.FAILED, error=error[:2000], locked_until=None)
    )


async def release_events(session: AsyncSession, ids: list[int]) -> None:
    """Give up leases at shutdown, so another worker need not wait for them to run out."""
    await session.execute(
        update(ZaloEvent)
        .where(ZaloEvent.id.in_(ids), ZaloEvent.status == EventStatus.RECEIVED)
        .values(locked_until=None)
    )
