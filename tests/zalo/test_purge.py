"""`thatgia db purge`: answered Zalo events go with their finished replies; work that is
still under way, and the last day's events, stay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.store.database import Database
from app.store.tables import utcnow
from app.zalo.models import EventStatus, ReplyStatus, ZaloEvent, ZaloReply
from app.zalo.purge import purge_zalo

DAY = dt.timedelta(days=1)


async def add_event(
    database: Database, key: str, age: dt.timedelta, status: str, reply: str | None
) -> None:
    received = utcnow() - age
    async with database.write_session() as session:
        event = ZaloEvent(
            event_key=key, event_name="user_send_text", user_id="u", body="", status=status,
            received_at=received,
        )  # fmt: skip
        session.add(event)
        await session.flush()
        if reply is not None:
            session.add(
                ZaloReply(
                    event_id=event.id,
                    user_id="u",
                    text="",
                    status=reply,
                    attempts=1,
                    created_at=received,
                    next_attempt_at=received,
                )  # fmt: skip
            )
        await session.commit()


async def keys_left(database: Database) -> list[str]:
    async with database.session() as session:
        return sorted(await session.scalars(select(ZaloEvent.event_key)))


async def replies_left(database: Database) -> int:
    async with database.session() as session:
        return len(list(await session.scalars(select(ZaloReply.id))))


async def test_answered_events_older_than_the_age_go_with_their_replies(
    database: Database,
) -> None:
    await add_event(database, "old sent", 100 * DAY, EventStatus.DONE, ReplyStatus.SENT)
    await add_event(database, "old failed", 100 * DAY, EventStatus.DONE, ReplyStatus.FAILED)
    await add_event(database, "old no reply", 100 * DAY, EventStatus.DONE, None)
    await add_event(database, "old broken", 100 * DAY, EventStatus.FAILED, None)
    await add_event(database, "recent", 10 * DAY, EventStatus.DONE, ReplyStatus.SENT)
    async with database.write_session() as session:
        purged = await purge_zalo(session, 90 * DAY)
    assert (purged.events, purged.replies) == (4, 2)
    assert await keys_left(database) == ["recent"]
    assert await replies_left(database) == 1


async def test_work_under_way_is_kept_however_old(database: Database) -> None:
    await add_event(database, "retrying", 100 * DAY, EventStatus.DONE, ReplyStatus.PENDING)
    await add_event(database, "unanswered", 100 * DAY, EventStatus.RECEIVED, None)
    async with database.write_session() as session:
        purged = await purge_zalo(session, 90 * DAY)
    assert (purged.events, purged.replies) == (0, 0)
    assert await keys_left(database) == ["retrying", "unanswered"]


async def test_the_last_days_events_are_kept_whatever_the_age_asked(database: Database) -> None:
    """Their keys are what stops a redelivery by Zalo from being answered twice."""
    await add_event(database, "two hours", dt.timedelta(hours=2), EventStatus.DONE, None)
    await add_event(database, "two days", 2 * DAY, EventStatus.DONE, None)
    async with database.write_session() as session:
        purged = await purge_zalo(session, dt.timedelta(minutes=1))
    assert purged.events == 1
    assert await keys_left(database) == ["two hours"]
