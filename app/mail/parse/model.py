"""What the parser reads out of a raw message: plain immutable data plus flags."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.engine.addresses import Address


class Flag:
    """Stable names of what the parser noticed (`mail.multiple_from` is also a finding code)."""

    MULTIPLE_FROM = "mail.multiple_from"  # From missing-or-repeated or holding several mailboxes
    NO_FROM = "mail.no_from"
    INVALID_FROM = "mail.invalid_from"  # a From whose mailbox has no usable address
    MALFORMED_FROM = "mail.malformed_from"  # unclosed quotes/brackets, text after <addr>, …
    ENCODED_WORD_IN_ADDRESS = "mail.encoded_word_in_address"  # RFC 2047 §5 forbids it
    MULTIPLE_REPLY_TO = "mail.multiple_reply_to"
    UNKNOWN_CHARSET = "mail.unknown_charset"
    UNDECODABLE_HEADER = "mail.undecodable_header"  # read with replacement characters
    TOO_MANY_HEADERS = "mail.too_many_headers"
    HEADER_TOO_LONG = "mail.header_too_long"  # a field cut at the bound (the rest not read)
    TOO_MANY_PARTS = "mail.too_many_parts"
    TOO_DEEP = "mail.too_deep"
    TEXT_TRUNCATED = "mail.text_truncated"
    MIME_DEFECTS = "mail.mime_defects"  # structural defects a reader works around
    UNREADABLE = "mail.unreadable"  # the parser failed; what was read before is kept
    OVER_BUDGET = "mail.over_budget"  # the CPU budget ran out (or the client left): rest skipped

    # What kept part of the message from being read: the mail.malformed finding.
    INCOMPLETE = (
        UNDECODABLE_HEADER,
        TOO_MANY_HEADERS,
        HEADER_TOO_LONG,
        TOO_MANY_PARTS,
        TOO_DEEP,
        UNREADABLE,
        OVER_BUDGET,
        UNKNOWN_CHARSET,
    )


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str | None  # decoded (RFC 2047 and RFC 2231), NFC
    content_type: str
    size: int  # decoded bytes


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """Everything the engine needs from a message, bounded, with what looked wrong."""

    from_addresses: tuple[Address, ...] = ()
    from_header_count: int = 0
    from_fields: tuple[str, ...] = ()  # every From field as written, decoded as far as it goes
    reply_to: tuple[Address, ...] = ()
    return_path: str | None = None  # "" for the null sender <>
    subject: str = ""
    date: dt.datetime | None = None
    text: str = ""
    links: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def sender(self) -> Address | None:
        """The From mailbox when there is exactly one From field with exactly one address."""
        if self.from_header_count == 1 and len(self.from_addresses) == 1:
            return self.from_addresses[0]
        return None

    @property
    def from_domain(self) -> str | None:
        """What DMARC-style alignment is checked against; None unless `sender` is set."""
        sender = self.sender
        return sender.domain if sender else None

    def has(self, flag: str) -> bool:
        return flag in self.flags
