"""Replies waiting to be sent: claimed under a lease, retried with backoff, failures kept.

A worker claims a due reply by a conditional UPDATE that also writes a random lease id,
so several workers and replicas never send the same reply at once; every later write is
fenced by that lease id, so a worker whose lease ran out cannot overwrite the row.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from app.config import Settings
from app.metrics import observe_zalo_reply
from app.store.database import Database
from app.store.tables import Base, utcnow
from app.zalo.client import Outcome, SendResult
from app.zalo.leases import changed, free
from app.zalo.models import ReplyStatus, ZaloReply

log = logging.getLogger("thatgia.zalo")


REPLIES = Base.metadata.tables[ZaloReply.__tablename__]
_NEW_REPLY = insert(REPLIES).returning(REPLIES.c.id)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A reply this process holds the lease of until `locked_until`."""

    id: int
    user_id: str
    text: str
    attempt: int  # 1 for the first try
    lease: str
    locked_until: dt.datetime

    def held(self, margin: float) -> bool:
        """Still ours for at least `margin` seconds: a send may start."""
        return self.locked_until - dt.timedelta(seconds=margin) > utcnow()


def new_replies(
    conn: Connection, replies: list[tuple[int, str, str]], lease: float
) -> list[Claimed]:
    """Queue replies (event id, user id, text), leased to this process for a first try."""
    now = utcnow()
    until = now + dt.timedelta(seconds=lease)
    claimed = []
    for event_id, user_id, text in replies:
        lease_id = secrets.token_hex(8)
        row = {"event_id": event_id, "user_id": user_id, "text": text, "lease": lease_id}
        row |= {"status": ReplyStatus.PENDING, "attempts": 1, "created_at": now}
        row |= {"next_attempt_at": now, "locked_until": until}
        id_ = conn.execute(_NEW_REPLY, row).scalar_one()
        claimed.append(Claimed(id_, user_id, text, 1, lease_id, until))
    return claimed


def record_unanswered(conn: Connection, event_id: int, user_id: str, error: str) -> None:
    """The reply an event that could not be processed never got, kept as a final failure:
    listed with the others for an operator, rather than the user waiting unseen."""
    now = utcnow()
    row = {"event_id": event_id, "user_id": user_id, "text": "", "attempts": 0}
    row |= {"status": ReplyStatus.UNANSWERED, "last_error": error[:2000]}
    row |= {"next_attempt_at": now, "created_at": now, "finished_at": now}
    conn.execute(insert(REPLIES), row)


def backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential, capped, with jitter so replicas retrying together spread out."""
    delay: float = min(cap, base * 2.0 ** max(0, attempt - 1))
    return delay * (0.5 + random.random() / 2)


async def claim_replies(database: Database, limit: int, lease: float) -> list[Claimed]:
    """Up to `limit` due replies that no other worker holds, oldest due first."""
    return await database.transaction(lambda conn: _claim_replies(conn, limit, lease))


def _claim_replies(conn: Connection, limit: int, lease: float) -> list[Claimed]:
    now = utcnow()
    until = now + dt.timedelta(seconds=lease)
    due = (
        REPLIES.c.status == ReplyStatus.PENDING,
        REPLIES.c.next_attempt_at <= now,
        free(REPLIES.c.locked_until, now),
    )
    columns = (REPLIES.c.id, REPLIES.c.user_id, REPLIES.c.text, REPLIES.c.attempts)
    rows = conn.execute(
        select(*columns).where(*due).order_by(REPLIES.c.next_attempt_at).limit(limit)
    )
    claimed: list[Claimed] = []
    for id_, user_id, text, attempts in rows.all():
        lease_id = secrets.token_hex(8)
        result = conn.execute(
            update(REPLIES)
            .where(REPLIES.c.id == id_, *due)
            .values(locked_until=until, lease=lease_id, attempts=REPLIES.c.attempts + 1)
        )
        if changed(result) == 1:
            claimed.append(Claimed(id_, user_id, text, attempts + 1, lease_id, until))
    return claimed


def next_state(claimed: Claimed, result: SendResult, settings: Settings) -> dict[str, object]:
    """The columns to write after an attempt."""
    now = utcnow()
    done: dict[str, object] = {"locked_until": None, "lease": None, "error_code": result.error}
    if result.outcome is Outcome.SENT:
        sent = {**done, "status": ReplyStatus.SENT, "finished_at": now, "last_error": None}
        # A sent reply quotes the user's message; it is kept only where texts are kept.
        return sent if settings.audit_keep_text else {**sent, "text": ""}
    error = {**done, "last_error": result.detail[:2000] or None}
    if result.outcome is Outcome.UNREACHABLE:
        return {**error, "status": ReplyStatus.UNDELIVERABLE, "finished_at": now}
    if claimed.attempt >= settings.zalo_max_attempts:
        return {**error, "status": ReplyStatus.FAILED, "finished_at": now}
    delay = backoff(
        claimed.attempt, settings.zalo_retry_base_seconds, settings.zalo_retry_cap_seconds
    )
    return {**error, "next_attempt_at": now + dt.timedelta(seconds=delay)}


def record(conn: Connection, claimed: Claimed, values: dict[str, object]) -> bool:
    """Write an attempt's outcome (from next_state), if the lease is still ours."""
    written = conn.execute(
        update(REPLIES)
        .where(REPLIES.c.id == claimed.id, REPLIES.c.lease == claimed.lease)
        .values(**values)
    )
    return changed(written) == 1


def observe(claimed: Claimed, result: SendResult, status: str, written: bool) -> None:
    """Log and count how the attempt ended."""
    if not written:
        log.warning("Zalo reply %d: lease lost before its outcome was written", claimed.id)
        return
    if status != ReplyStatus.PENDING:
        observe_zalo_reply(status)
    if status in ReplyStatus.FINAL_FAILURES:
        log.error("Zalo reply %d %s: %s (%s)", claimed.id, status, result.error, result.detail)


async def final_failures(database: Database, limit: int, before_id: int | None) -> list[ZaloReply]:
    """Replies that will not be sent, newest first."""
    query = select(ZaloReply).where(ZaloReply.status.in_(ReplyStatus.FINAL_FAILURES))
    if before_id is not None:
        query = query.where(ZaloReply.id < before_id)
    async with database.session() as session:
        rows = await session.scalars(query.order_by(ZaloReply.id.desc()).limit(limit))
        return list(rows)


def release_replies(conn: Connection, claimed: list[Claimed]) -> None:
    """Give up leases of replies not yet tried (at shutdown), undoing their attempt."""
    for reply in claimed:
        conn.execute(
            update(REPLIES)
            .where(REPLIES.c.id == reply.id, REPLIES.c.lease == reply.lease)
            .values(locked_until=None, lease=None, attempts=REPLIES.c.attempts - 1)
        )
