"""Old chatbot rows go with the audit log's purge (`thatgia db purge --older-than AGE`).

An event is deleted once it is answered (or failed) and its reply, if it had one, has
reached an end: sent, failed or undeliverable. A reply still being retried is kept with
its event, whatever its age. Events of the last day are always kept, so that a key which
stops one of Zalo's redeliveries cannot be purged while Zalo may still send it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.tables import utcnow
from app.zalo.models import EventStatus, ReplyStatus, ZaloEvent, ZaloReply

KEEP_AT_LEAST = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Purged:
    events: int
    replies: int


async def purge_zalo(session: AsyncSession, older_than: dt.timedelta) -> Purged:
    """Delete finished events received before the cutoff, with their replies."""
    cutoff = utcnow() - max(older_than, KEEP_AT_LEAST)
    pending = exists().where(
        and_(ZaloReply.event_id == ZaloEvent.id, ZaloReply.status == ReplyStatus.PENDING)
    )
    finished = select(ZaloEvent.id).where(
        ZaloEvent.received_at < cutoff,
        ZaloEvent.status.in_((EventStatus.DONE, EventStatus.FAILED)),
        ~pending,
    )
    ids = list(await session.scalars(finished))
    if not ids:
        return Purged(0, 0)
    # The replies first and by name, rather than left to ON DELETE CASCADE, which SQLite
    # honours only when foreign keys are switched on for the connection.
    replies = await session.execute(delete(ZaloReply).where(ZaloReply.event_id.in_(ids)))
    events = await session.execute(delete(ZaloEvent).where(ZaloEvent.id.in_(ids)))
    await session.commit()
    return Purged(_count(events), _count(replies))


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
