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
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.message import Message
from email.parser import BytesParser
from email.policy import Compat32
from functools import partial

from app.engine.addresses import Address, AddressList, parse_address_list, tokenize
from app.engine.charsets import decode_words_telling, header_text
from app.mail.parse.body import MAX_PART_HEADER_CHARS, join_texts, read_body
from app.mail.parse.budget import Budget
from app.mail.parse.headers import HeaderBlock, read_head
from app.mail.parse.model import Attachment, Flag, ParsedMessage

__all__ = ["Address", "Attachment", "Budget", "Flag", "ParsedMessage", "parse_message"]

log = logging.getLogger(__name__)
MAX_SUBJECT_CHARS = 1000
# Longest top-level field read: far beyond any real one (a long References or
# DKIM-Signature field is a few KB), short enough that reading it costs nothing.
MAX_FIELD_CHARS = 16 * 1024
# The standard library's MIME parser recurses once per nested multipart or message part
# (about 1,000 levels exhaust Python's stack): the message is cut before the container
# part past this count, and what comes before is still read.
MAX_CONTAINERS = 100
_CONTAINER = re.compile(
    rb"(?:^|[\r\n])content-type:[ \t]*(?:(?:\r\n|\r|\n)[ \t]+)*(?:multipart|message)/",
    re.IGNORECASE,
)


class _BoundedPolicy(Compat32):
    """Header values kept as text (no eager parsing) and cut at MAX_PART_HEADER_CHARS."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        return name, value[:MAX_PART_HEADER_CHARS]


_POLICY = _BoundedPolicy()


@dataclass(frozen=True, slots=True)
class _Limits:
    text: int
    headers: int
    parts: int
    depth: int


def _decoded(value: str, decode: Callable[[str], str], flags: set[str]) -> str:
    """`decode(value)`, or the value read with replacement characters when that fails."""
    try:
        return decode(value)
    except Exception:  # one field's odd encoding must never hide the other fields
        flags.add(Flag.UNDECODABLE_HEADER)
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _subject(value: str, flags: set[str]) -> str:
    text, unknown_charset = decode_words_telling(value)
    if unknown_charset:
        flags.add(Flag.UNKNOWN_CHARSET)
    return text


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
        try:
            found = parse_address_list(value)
        except Exception:  # never expected; a From that cannot be read is an invalid one
            log.warning("an address field could not be read", exc_info=True)
            found = AddressList(malformed=True, invalid=1)
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


def _envelope(head: HeaderBlock, flags: set[str]) -> ParsedMessage:
    def values(name: str) -> list[str]:
        return [_decoded(value, header_text, flags) for value in head.values(name)]

    from_values, reply_values = values("from"), values("reply-to")
    found = _addresses(from_values)
    _from_flags(len(from_values), found, flags)
    if len(reply_values) > 1:
        flags.add(Flag.MULTIPLE_REPLY_TO)
    subjects = values("subject")
    subject = _decoded(subjects[0], partial(_subject, flags=flags), flags) if subjects else ""
    return ParsedMessage(
        from_addresses=tuple(found.addresses),
        from_header_count=len(from_values),
        from_fields=tuple(from_values),
        reply_to=tuple(_addresses(reply_values).addresses),
        return_path=_return_path(values("return-path")),
        subject=subject.strip()[:MAX_SUBJECT_CHARS],
        date=_date(values("date")),
    )


def _with_body(
    parsed: ParsedMessage, message: Message, limits: _Limits, budget: Budget, flags: set[str]
) -> ParsedMessage:
    body = read_body(
        message,
        max_text_chars=limits.text,
        max_parts=limits.parts,
        max_depth=limits.depth,
        budget=budget,
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


def _bounded_nesting(raw: bytes, flags: set[str]) -> bytes:
    """`raw` cut before its container part past MAX_CONTAINERS (see there)."""
    for count, match in enumerate(_CONTAINER.finditer(raw), start=1):
        if count > MAX_CONTAINERS:
            flags.add(Flag.TOO_DEEP)
            return raw[: match.start()]
    return raw


def _parse(raw: bytes, limits: _Limits, budget: Budget) -> ParsedMessage:
    # The envelope and the body are read apart, so that a failure in one keeps the other.
    flags: set[str] = set()
    head = read_head(raw, max_fields=limits.headers, max_chars=MAX_FIELD_CHARS)
    flags |= head.flags
    parsed = _envelope(head, flags)
    try:
        message = BytesParser(policy=_POLICY).parsebytes(_bounded_nesting(raw, flags))
        parsed = _with_body(parsed, message, limits, budget, flags)
    except Exception:  # the standard library's parser has edge cases; a gateway must answer
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
    budget: Budget | None = None,
) -> ParsedMessage:
    """Read `raw` as received; never raises on malformed input (see `ParsedMessage.flags`).

    The reading stops early, with `Flag.OVER_BUDGET`, when `budget` is spent or cancelled.
    """
    limits = _Limits(max_text_chars, max_headers, max_parts, max_depth)
    budget = budget or Budget()
    budget.start()
    try:
        return _parse(raw, limits, budget)
    except Exception:
        log.warning("message could not be parsed", exc_info=True)
        return ParsedMessage(flags=(Flag.UNREADABLE,))
