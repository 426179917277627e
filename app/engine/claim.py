"""What the engine is asked about (Claim) and what the adapters hand it (Context)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from app.engine.findings import FINDINGS_PER_CODE, Finding
from app.engine.reference.models import Reference
from app.engine.validators.wordforms import Words

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
# When a claimed message can have been received: ticket codes name a day of 2000-2099
# (SDyymmdd), and any time zone's view of a moment in this range is a real date.
EARLIEST_RECEIVED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_RECEIVED = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def receivable(moment: dt.datetime) -> bool:
    """Whether an aware moment lies in [EARLIEST_RECEIVED, LATEST_RECEIVED)."""
    return EARLIEST_RECEIVED <= moment < LATEST_RECEIVED


class Channel(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"
    ZALO = "zalo"
    VIBER = "viber"
    WEB = "web"
    OTHER = "other"


class IndicatorKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    DOMAIN = "domain"
    URL = "url"


@dataclass(frozen=True, slots=True)
class Indicator:
    """A normalised identifier that can be reported: E.164 phone, lower-case address, …"""

    kind: IndicatorKind
    value: str


@dataclass(frozen=True, slots=True)
class Claim:
    """A claimed support contact, as a user gave it. Every field is optional."""

    message: str = ""
    sender: str | None = None
    phone: str | None = None
    extension: str | None = None
    ticket_code: str | None = None
    channel: Channel | None = None
    unit_code: str | None = None
    received_at: dt.datetime | None = None

    def is_empty(self) -> bool:
        return not (
            self.message.strip()
            or self.sender
            or self.phone
            or self.extension
            or self.ticket_code
            or self.channel
        )


@dataclass(frozen=True, slots=True)
class ReportedText:
    """Confirmed reports of texts a claim's message is a near-duplicate of: how many, and
    when the first was made (found by the check pipeline, app.store.campaigns)."""

    count: int
    since: dt.datetime


@dataclass(frozen=True, slots=True)
class RegisteredTicket:
    code: str
    unit_code: str | None = None
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class Revision:
    """A text's findings as the learned layer left them, whether the text reads as
    someone contacting the reader as support, and whether it reads so surely as not (a
    colleague's note, a warning) that even the number or address given as its own says
    only whom it came from (app.engine.claimgate)."""

    findings: list[Finding]
    reads_as_claim: bool
    disowned: bool = False


class TextLayer(Protocol):
    """Revises the request.* findings the rules made in a message's text (app.engine.learned)."""

    def revise(self, text: str, findings: list[Finding], words: Words) -> Revision:
        """The findings made in `text` (whose words the rules read) with the layer's
        judgement applied."""
        ...


@dataclass(frozen=True, slots=True)
class Context:
    """Everything the engine needs besides the claim, fetched beforehand by the adapter.

    `registry` is None when no ticket registry was consulted; otherwise it maps every
    ticket code of the claim that the registry knows to its record. `reported` maps the
    claim's indicators that were reported before to their report counts; `reported_text`
    says how many confirmed reports the message resembles. `extra_findings`
    are findings an adapter computed itself (the mail gateway's authentication results).
    `findings_per_code` bounds how many findings of one code the assessment lists.
    `text_layer` is the learned model beside the text rules, loaded once at start-up;
    None runs the rules alone.
    """

    reference: Reference
    now: dt.datetime | None = None
    stale_after_days: int = 30
    registry: Mapping[str, RegisteredTicket] | None = None
    registry_authoritative: bool = False
    reported: Mapping[Indicator, int] = field(default_factory=dict)
    reported_text: ReportedText | None = None
    report_danger_threshold: int = 3
    extra_findings: tuple[Finding, ...] = ()
    findings_per_code: int = FINDINGS_PER_CODE
    text_layer: TextLayer | None = None
