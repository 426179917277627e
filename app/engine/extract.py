"""Identifiers found in a pasted message, checked as if the user had typed them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from app.engine.claim import Claim, Indicator, IndicatorKind
from app.engine.findings import Span, cover_spans
from app.engine.reference.models import Reference
from app.engine.validators.fold import Folded, fold
from app.engine.validators.links import Link, find_links, registrable_domain
from app.engine.validators.phone import (
    ExtensionMention,
    PhoneMention,
    find_extensions,
    find_phones,
    parse_phone,
)
from app.engine.validators.sender import ParsedSender, is_official_domain, parse_sender
from app.engine.validators.ticket import TicketMention, find_tickets

MAX_ADDRESSES = 50
# An answer lists at most this many identifiers of each kind, in the order found, and the
# audit record keeps the indicators of those only: more than a real message holds, and a
# bound on a pasted directory of numbers. The engine still checks every one.
IDENTIFIERS_PER_KIND = 10
_LOCAL_MAX = 64
_ADDRESS = re.compile(
    rf"(?<![\w.+\-])[\w.+\-]{{1,{_LOCAL_MAX}}}@(?:[^\W_][\w\-]{{0,62}}\.)+[^\W\d_]{{2,24}}\b"
)


@dataclass(frozen=True, slots=True)
class Extracted:
    tickets: tuple[TicketMention, ...]
    senders: tuple[ParsedSender, ...]
    phones: tuple[PhoneMention, ...]
    extensions: tuple[ExtensionMention, ...]
    links: tuple[Link, ...]
    # What the audit excerpt reuses (app.engine.redact): the folded text, every ticket code's place
    # (None: not worked out, as in an Extracted not made by extract()).
    folded: Folded | None = None
    ticket_spans: tuple[Span, ...] | None = None


def _find_addresses(text: str) -> list[ParsedSender]:
    found = []
    for match in _ADDRESS.finditer(text):
        found.append(parse_sender(match[0], Span(match.start(), match.end())))
        if len(found) >= MAX_ADDRESSES:
            break
    return found


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span.start < other.end and other.start < span.end for other in taken)


T = TypeVar("T")


def _first_of_each(items: Iterable[T], key: Callable[[T], object]) -> tuple[T, ...]:
    """The first mention of each distinct identifier: a number repeated three times is one
    finding to read, not three."""
    seen: dict[object, T] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return tuple(seen.values())


def _masked(text: str, spans: list[Span]) -> str:
    """The text with spans already claimed blanked out, offsets unchanged."""
    return cover_spans(text, spans, lambda claimed: " " * len(claimed)) if spans else text


def extract(text: str, reference: Reference) -> Extracted:
    tickets = find_tickets(text, reference.ticket)
    senders = _find_addresses(text)
    taken = [t.span for t in tickets if t.span] + [s.span for s in senders if s.span]
    links = [link for link in find_links(text) if not _overlaps(link.span, taken)]
    taken += [link.span for link in links]
    folded = fold(text)
    extensions = find_extensions(text, reference.extensions, folded)
    taken += [e.span for e in extensions if e.span]
    # Digits inside codes, addresses and links are no phone numbers: the matcher need not
    # parse them at all.
    phones = [
        PhoneMention(text[p.span.start : p.span.end], p.e164, p.span, p.number) if p.span else p
        for p in find_phones(_masked(text, taken))
    ]
    return Extracted(
        tickets=_first_of_each(tickets, lambda t: t.code),
        senders=_first_of_each(senders, lambda s: s.normalized or s.address.lower()),
        phones=_first_of_each(phones, lambda p: p.e164 or p.written),
        extensions=_first_of_each(extensions, lambda e: e.digits),
        links=_first_of_each(links, lambda link: link.url),
        folded=folded,
        ticket_spans=tuple(t.span for t in tickets if t.span),
    )


def leading(extracted: Extracted, count: int = IDENTIFIERS_PER_KIND) -> Extracted:
    """The first `count` identifiers of each kind: those an answer lists."""
    ex = extracted
    return Extracted(
        tickets=ex.tickets[:count],
        senders=ex.senders[:count],
        phones=ex.phones[:count],
        extensions=ex.extensions[:count],
        links=ex.links[:count],
        folded=ex.folded,
        ticket_spans=ex.ticket_spans,
    )


def is_longer_than(extracted: Extracted, count: int = IDENTIFIERS_PER_KIND) -> bool:
    """Whether some kind holds more than `count` identifiers (leading() would cut it)."""
    ex = extracted
    kinds = (ex.tickets, ex.senders, ex.phones, ex.extensions, ex.links)
    return any(len(found) > count for found in kinds)


def indicators(claim: Claim, extracted: Extracted) -> set[Indicator]:
    """Everything in a claim that could be, or has been, reported as a scam."""
    found: set[Indicator] = set()
    senders = list(extracted.senders) + ([parse_sender(claim.sender)] if claim.sender else [])
    for sender in senders:
        if sender.normalized:
            found.add(Indicator(IndicatorKind.EMAIL, sender.normalized))
            domain = sender.normalized.rpartition("@")[2]
            found.add(Indicator(IndicatorKind.DOMAIN, registrable_domain(domain)))
    phones = list(extracted.phones)
    if claim.phone:
        phones.append(parse_phone(claim.phone))
    found.update(Indicator(IndicatorKind.PHONE, p.e164) for p in phones if p.e164)
    for link in extracted.links:
        found.add(Indicator(IndicatorKind.URL, link.url))
        found.add(Indicator(IndicatorKind.DOMAIN, registrable_domain(link.host)))
    return found


def listed_indicators(
    claim: Claim, extracted: Extracted, among: Iterable[Indicator]
) -> list[Indicator]:
    """Those of the given indicators (the claim's, in any order) that an answer lists: the
    claim's own fields and the first identifiers of each kind in the message (leading).
    What the audit record keeps and a report counts: a pasted directory of 1,800 numbers is
    neither 1,800 pairs in the record nor 1,800 counts raised by one report."""
    if not is_longer_than(extracted):
        return list(among)
    listed = indicators(claim, leading(extracted))
    return [indicator for indicator in among if indicator in listed]


def is_official(indicator: Indicator, reference: Reference) -> bool:
    """The Treasury's own switchboard, addresses and domains: never a sign of a scam, so
    never counted by a report nor looked up."""
    if indicator.kind is IndicatorKind.PHONE:
        return indicator.value == reference.switchboard.e164
    if indicator.kind is IndicatorKind.EMAIL:
        address = indicator.value.lower()
        return address in reference.official_addresses or is_official_domain(
            address.rpartition("@")[2], reference
        )
    host = indicator.value.split("/", 1)[0].split(":", 1)[0]
    return is_official_domain(host, reference)
