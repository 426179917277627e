"""A raw RFC 5322 message read into what the assessment engine needs, without ever raising.

`parse_message(raw)` returns the From mailbox(es) judged on their real address, Reply-To,
Return-Path, the decoded Subject, the body text (plain and HTML, any transfer encoding,
UTF-8 and windows-1258 among others), link targets and attachment names, all bounded by
the limits given, and flags for what was wrong or cut (see `Flag`).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
from dataclasses import dataclass, replace
from email import policy
from email.message import Message
from email.parser import BytesParser

from app.mailparse.addresses import AddressList, parse_address_list, tokenize
from app.mailparse.body import join_texts, read_body
from app.mailparse.encoding import decode_words, header_text
from app.mailparse.model import Address, Attachment, Flag, ParsedMessage

__all__ = ["Address", "Attachment", "Flag", "ParsedMessage", "parse_message"]

log = logging.getLogger(__name__)
MAX_SUBJECT_CHARS = 1000


@dataclass(frozen=True, slots=True)
class _Limits:
    text: int
    headers: int
    parts: int
    depth: int


def _headers(message: Message, max_headers: int, flags: set[str]) -> list[tuple[str, str]]:
    items = list(message.raw_items())
    if len(items) > max_headers:
        flags.add(Flag.TOO_MANY_HEADERS)
    return [(name.lower(), header_text(str(value))) for name, value in items[:max_headers]]


def _from_flags(count: int, found: AddressList, flags: set[str]) -> None:
    mailboxes = len(found.addresses) + found.invalid
    if count == 0:
        flags.add(Flag.NO_FROM)
    elif count > 1 or mailboxes > 1:
        flags.add(Flag.MULTIPLE_FROM)
    elif found.invalid or not found.addresses:
        flags.add(Flag.INVALID_FROM)
    if found.malformed:
        flags.add(Flag.MALFORMED_FROM)
    if found.encoded_word_in_address:
        flags.add(Flag.ENCODED_WORD_IN_ADDRESS)


def _addresses(values: list[str]) -> AddressList:
    merged = AddressList()
    for value in values:
        found = parse_address_list(value)
        merged.addresses.extend(found.addresses)
        merged.invalid += found.invalid
        merged.malformed = merged.malformed or found.malformed
        merged.encoded_word_in_address |= found.encoded_word_in_address
    return merged


def _return_path(values: list[str]) -> str | None:
    if not values:
        return None
    tokens, _closed = tokenize(values[0])
    angles = [t.text.strip() for t in tokens if t.kind == "angle"]
    if angles and not angles[0]:
        return ""  # <>: the null sender of bounces
    found = parse_address_list(f"<{angles[0]}>" if angles else values[0])
    return found.addresses[0].address if found.addresses else None


def _date(values: list[str]) -> dt.datetime | None:
    try:
        return email.utils.parsedate_to_datetime(values[0]) if values else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _envelope(headers: list[tuple[str, str]], flags: set[str]) -> ParsedMessage:
    def values(name: str) -> list[str]:
        return [value for header, value in headers if header == name]

    from_values, reply_values = values("from"), values("reply-to")
    found = _addresses(from_values)
    _from_flags(len(from_values), found, flags)
    if len(reply_values) > 1:
        flags.add(Flag.MULTIPLE_REPLY_TO)
    subjects = values("subject")
    return ParsedMessage(
        from_addresses=tuple(found.addresses),
        from_header_count=len(from_values),
        reply_to=tuple(_addresses(reply_values).addresses),
        return_path=_return_path(values("return-path")),
        subject=decode_words(subjects[0]).strip()[:MAX_SUBJECT_CHARS] if subjects else "",
        date=_date(values("date")),
    )


def _with_body(
    parsed: ParsedMessage, message: Message, limits: _Limits, flags: set[str]
) -> ParsedMessage:
    body = read_body(
        message, max_text_chars=limits.text, max_parts=limits.parts, max_depth=limits.depth
    )
    flags |= body.flags
    text, truncated = join_texts(body.texts, limits.text)
    if truncated:
        flags.add(Flag.TEXT_TRUNCATED)
    return replace(
        parsed,
        text=text,
        links=tuple(dict.fromkeys(body.links)),
        attachments=tuple(body.attachments),
    )


def _parse(raw: bytes, limits: _Limits) -> ParsedMessage:
    # Headers and body are read separately so that a failure in one keeps the other.
    flags: set[str] = set()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    parsed = ParsedMessage()
    try:
        parsed = _envelope(_headers(message, limits.headers, flags), flags)
    except Exception:  # the stdlib parser has edge cases; a gateway must still answer
        log.warning("message headers could not be read", exc_info=True)
        flags.add(Flag.UNREADABLE)
    try:
        parsed = _with_body(parsed, message, limits, flags)
    except Exception:
        log.warning("message body could not be read", exc_info=True)
        flags.add(Flag.UNREADABLE)
    return replace(parsed, flags=tuple(sorted(flags)))


def parse_message(
    raw: bytes,
    *,
    max_text_chars: int = 20_000,
    max_headers: int = 500,
    max_parts: int = 200,
    max_depth: int = 20,
) -> ParsedMessage:
    """Read `raw` as received; never raises on malformed input (see `ParsedMessage.flags`)."""
    limits = _Limits(max_text_chars, max_headers, max_parts, max_depth)
    try:
        return _parse(raw, limits)
    except Exception:
        log.warning("message could not be parsed", exc_info=True)
        return ParsedMessage(flags=(Flag.UNREADABLE,))
