"""Tables: API keys, the ticket registry, the audit log of checks, reports and indicators.

Every change here needs a migration in migrations/versions (tests/test_migrations.py
fails on drift).
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so migrations can drop what they created on any database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on both databases (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _without_nul(value: str | None, dialect: Dialect) -> str | None:
    if value is None or dialect.name != "postgresql" or "\x00" not in value:
        return value
    return value.replace("\x00", "\ufffd")


class NulFreeText(TypeDecorator[str]):
    """Text a client may have written. PostgreSQL refuses U+0000 in text (and with it the
    whole statement, so a group commit's other rows too); it is stored there as U+FFFD.
    SQLite keeps it as it is."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return _without_nul(value, dialect)


class NulFreeString(TypeDecorator[str]):
    """NulFreeText of a bounded length: NulFreeString(64) is a VARCHAR(64)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return _without_nul(value, dialect)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ApiKey(Base):
    """A bearer token: only its SHA-256 is kept; `key_id` is its public, non-secret part."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(NulFreeString(100))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Ticket(Base):
    """A support ticket the Treasury issued, registered by its support staff."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # canonical form
    unit_code: Mapped[str | None] = mapped_column(String(16))
    issued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by: Mapped[str | None] = mapped_column(NulFreeString(100))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class CheckRecord(Base):
    """The audit record of one check. `indicators` are the reportable ones (never official)."""

    __tablename__ = "checks"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    verdict: Mapped[str] = mapped_column(String(16))
    finding_codes: Mapped[list[str]] = mapped_column(JSON)
    input_sha256: Mapped[str] = mapped_column(String(64), index=True)
    excerpt: Mapped[str] = mapped_column(NulFreeText)
    full_text: Mapped[str | None] = mapped_column(NulFreeText)
    indicators: Mapped[list[list[str]]] = mapped_column(JSON)
    # The MinHash signature of the message (app.fingerprint), kept so that a report of the
    # check can fingerprint a text the audit log did not keep; None for too short a text.
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)


class ReportStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Report(Base):
    """A user's statement that a checked message was a scam; at most one per check.

    Pending until an admin decides or enough clients report the same; only a confirmed
    report counts its indicators and fingerprints its text (app.store.moderation).
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Kept when the audit record is purged: the counts it fed stay explained.
    check_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("checks.id", ondelete="SET NULL"), unique=True
    )
    note: Mapped[str | None] = mapped_column(NulFreeText)
    reporter: Mapped[str | None] = mapped_column(NulFreeString(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    indicators: Mapped[list[list[str]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.PENDING, index=True)
    # Who sent it: "key:<key id>" or "ip:<address>" (an IPv6 address by its /64); the rate
    # limit and the count of different clients go by it.
    client: Mapped[str] = mapped_column(NulFreeString(100), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(NulFreeString(100))
    # Copied from the check: they outlive its purge, as the counts they fed do.
    excerpt: Mapped[str] = mapped_column(NulFreeText, default="")
    full_text: Mapped[str | None] = mapped_column(NulFreeText)
    finding_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (Index("ix_reports_client_created_at", "client", "created_at"),)


class Campaign(Base):
    """Confirmed reports of near-duplicate texts: one scam sent to many, with its variants.

    `fingerprint` is that of its first report; later reports whose text resembles it join.
    """

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[bytes] = mapped_column(LargeBinary)
    report_count: Mapped[int] = mapped_column(Integer)
    first_reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CampaignBand(Base):
    """One band key of a campaign's fingerprint: what a check's text is looked up by."""

    __tablename__ = "campaign_bands"

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CampaignRevision(Base):
    """How far the campaigns have come: one row, its revision bumped by every decision on a
    report (app.store.moderation), first thing in the decision's transaction."""

    __tablename__ = "campaign_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the only row is 1
    revision: Mapped[int] = mapped_column(BigInteger)


class CampaignChange(Base):
    """The revision at which a campaign last changed (it began, grew, shrank or went): what
    each process's index of campaigns (app.store.campaignindex) reads again when it moved.

    No foreign key: the row of a campaign that went says so to the processes holding it."""

    __tablename__ = "campaign_changes"

    campaign_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, index=True)


class ReportIndicator(Base):
    """An indicator a confirmed report counted: the reports behind an indicator's count."""

    __tablename__ = "report_indicators"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(NulFreeString(512), primary_key=True)

    __table_args__ = (Index("ix_report_indicators_kind_value", "kind", "value"),)


class AdminSession(Base):
    """A signed-in admin console session: only a hash of its cookie is kept."""

    __tablename__ = "admin_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class IndicatorCount(Base):
    """How many reports named a phone, address, domain or URL."""

    __tablename__ = "indicators"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(NulFreeString(512), primary_key=True)
    report_count: Mapped[int] = mapped_column(Integer, index=True)
    first_reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
