"""Tables of the Zalo chatbot: received events, replies to deliver, the OA token pair.

On the shared Base of app.store.tables, so the migrations see them (migrations/env.py imports
this module); every change here needs a migration in migrations/versions.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.tables import Base, NulFreeString, NulFreeText, UTCDateTime, utcnow

# Column widths the webhook must fit whole (app.zalo.events): never cut an id to fit.
EVENT_KEY_CHARS = 200
USER_ID_CHARS = 64


class EventStatus:
    RECEIVED = "received"  # stored by the webhook, not yet turned into a reply
    DONE = "done"  # its reply (if any) is in zalo_replies
    FAILED = "failed"  # could not be processed; kept for an operator


class ReplyStatus:
    PENDING = "pending"  # to send at next_attempt_at (a worker may hold its lease)
    SENT = "sent"
    FAILED = "failed"  # every attempt failed: retries exhausted
    UNDELIVERABLE = "undeliverable"  # Zalo said the user cannot be messaged now
    UNANSWERED = "unanswered"  # its event could not be processed: nothing to send

    FINAL_FAILURES = (FAILED, UNDELIVERABLE, UNANSWERED)


class ZaloEvent(Base):
    """One webhook delivery, kept as received; `event_key` makes Zalo's retries no-ops."""

    __tablename__ = "zalo_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_key: Mapped[str] = mapped_column(NulFreeString(EVENT_KEY_CHARS), unique=True)
    event_name: Mapped[str] = mapped_column(NulFreeString(64))
    user_id: Mapped[str] = mapped_column(NulFreeString(USER_ID_CHARS))
    body: Mapped[str] = mapped_column(NulFreeText)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.RECEIVED)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    verdict: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(NulFreeText)

    __table_args__ = (Index("ix_zalo_events_status_id", "status", "id"),)


class ZaloReply(Base):
    """A reply to send (the outbox). A worker owns it while `lease` is its own and unexpired."""

    __tablename__ = "zalo_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("zalo_events.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[str] = mapped_column(NulFreeString(USER_ID_CHARS))
    text: Mapped[str] = mapped_column(NulFreeText)
    status: Mapped[str] = mapped_column(String(16), default=ReplyStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(NulFreeText)
    error_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_zalo_replies_status_next_attempt_at", "status", "next_attempt_at"),)


class ZaloToken(Base):
    """The OA's token pair. `version` moves on every change: refreshes are compare-and-swap
    on it, and `refreshing_until` is the lease of the one worker exchanging the refresh
    token (used once, it is dead: two exchanging at once would lose the pair)."""

    __tablename__ = "zalo_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    refresh_token: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    refreshing_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
