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

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app.store.database import Database
from app.store.tables import Base, utcnow
from app.zalo.events import Event
from app.zalo.leases import changed, free
from app.zalo.models import EventStatus, ZaloEvent
from app.zalo.outbox import Claimed, new_replies, record_unanswered
from app.zalo.respond import Answer

log = logging.getLogger("thatgia.zalo")


@dataclass(frozen=True, slots=True)
class Inbound:
    """A stored event that this process holds the lease of, ready to be answered."""

    id: int
    event_key: str
    user_id: str
    body: str


def event_row(event: Event, raw_body: bytes, lease: float) -> dict[str, Any]:
    now = utcnow()
    return {
        "event_key": event.key,
        "event_name": event.event_name,
        "user_id": event.user_id,
        "body": raw_body.decode("utf-8", errors="replace"),
        "status": EventStatus.RECEIVED,
        "received_at": now,
        "locked_until": now + dt.timedelta(seconds=lease),
    }


EVENTS = Base.metadata.tables[ZaloEvent.__tablename__]
# ON CONFLICT DO NOTHING, not a caught violation, so a redelivery cannot fail the other
# events of its transaction; RETURNING gives no row for it.
_NEW_EVENT = {
    name: dialect.insert(EVENTS)
    .on_conflict_do_nothing(index_elements=[EVENTS.c.event_key])
    .returning(EVENTS.c.id)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
_DONE = (
    update(EVENTS)
    .where(EVENTS.c.id == bindparam("b_id"))
    .values(
        status=EventStatus.DONE,
        processed_at=bindparam("b_processed_at"),
        verdict=bindparam("b_verdict"),
        locked_until=None,
    )
)
# The forwarded message is dropped once answered unless texts are kept.
_DONE_FORGETTING = _DONE.values(body="")


def store_events(conn: Connection, rows: list[dict[str, Any]]) -> list[Inbound | None]:
    """Keep events, leased to this process; None for one Zalo had delivered before
    (a key twice in one batch: the first is new, the second a repeat)."""
    statement = _NEW_EVENT[conn.dialect.name]
    stored: list[Inbound | None] = []
    for row in rows:
        id_ = conn.execute(statement, row).scalar_one_or_none()
        stored.append(Inbound(id_, row["event_key"], row["user_id"], row["body"]) if id_ else None)
    return stored


async def claim_events(database: Database, limit: int, lease: float) -> list[Inbound]:
    """Up to `limit` events nobody holds (their process died), by conditional UPDATEs."""
    return await database.transaction(lambda conn: _claim_events(conn, limit, lease))


def _claim_events(conn: Connection, limit: int, lease: float) -> list[Inbound]:
    now = utcnow()
    until = now + dt.timedelta(seconds=lease)
    lockable = (EVENTS.c.status == EventStatus.RECEIVED, free(EVENTS.c.locked_until, now))
    columns = (EVENTS.c.id, EVENTS.c.event_key, EVENTS.c.user_id, EVENTS.c.body)
    rows = conn.execute(select(*columns).where(*lockable).order_by(EVENTS.c.id).limit(limit))
    claimed: list[Inbound] = []
    for id_, key, user_id, body in rows.all():
        result = conn.execute(
            update(EVENTS).where(EVENTS.c.id == id_, *lockable).values(locked_until=until)
        )
        if changed(result) == 1:
            claimed.append(Inbound(id_, key, user_id, body))
    return claimed


def finish_events(
    conn: Connection, answered: list[tuple[Inbound, Answer]], *, keep_body: bool, lease: float
) -> list[Claimed]:
    """Record the outcomes and queue the replies, leased to this process for a first send.

    Events another worker finished after our lease ran out are left alone. The forwarded
    message is dropped from the row once answered unless texts are kept
    (THATGIA_AUDIT_KEEP_TEXT): the key that stops Zalo's redeliveries is what must stay.
    """
    ids = [event.id for event, _ in answered]
    still_ours = set(
        conn.scalars(
            select(EVENTS.c.id)
            .where(EVENTS.c.id.in_(ids), EVENTS.c.status == EventStatus.RECEIVED)
            .with_for_update()
        )
    )
    mine = [(event, answer) for event, answer in answered if event.id in still_ours]
    if not mine:
        return []
    now = utcnow()
    conn.execute(
        _DONE if keep_body else _DONE_FORGETTING,
        [
            {"b_id": event.id, "b_processed_at": now, "b_verdict": answer.verdict}
            for event, answer in mine
        ],
    )
    replies = [(event.id, event.user_id, answer.text) for event, answer in mine if answer.text]
    return new_replies(conn, replies, lease)


def fail_event(conn: Connection, event: Inbound, error: str) -> bool:
    """An event that cannot be processed is not retried forever: it is marked failed, and
    its missing reply is listed among the final failures. False if another worker had
    already finished it."""
    log.error("Zalo event %s could not be processed: %s", event.event_key, error)
    result = conn.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event.id, EVENTS.c.status == EventStatus.RECEIVED)
        .values(status=EventStatus.FAILED, error=error[:2000], locked_until=None)
    )
    if changed(result) != 1:
        return False
    record_unanswered(conn, event.id, event.user_id, error)
    return True


def release_events(conn: Connection, ids: list[int]) -> None:
    """Give up leases at shutdown, so another worker need not wait for them to run out."""
    conn.execute(
        update(EVENTS)
        .where(EVENTS.c.id.in_(ids), EVENTS.c.status == EventStatus.RECEIVED)
        .values(locked_until=None)
    )
