"""Support ticket codes: SDyymmdd-xxxxxx (34/KBKH-KTNN, 679/KBKH-KTNN)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.engine.claim import VIETNAM
from app.engine.findings import Finding, Severity, Span
from app.engine.reference.models import Reference, Ticket

# Dashes people (and word processors) put between the two halves of a code.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d_"


@dataclass(frozen=True, slots=True)
class TicketMention:
    written: str  # exactly as in the text
    code: str  # canonical: upper case, ASCII digits, hyphen
    span: Span | None


@lru_cache(maxsize=8)
def _patterns(prefix: str, digits: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    dash = f"[{re.escape(_DASHES)}]"
    strict = re.compile(rf"{prefix}(\d{{6}})-(\d{{{digits}}})", re.ASCII)
    # \d without re.ASCII also takes full-width and other Unicode decimal digits.
    gap = "[ \u00a0]?"
    # The prefix first, then the look back at the letter before it: a pattern that starts
    # with a literal is searched for that literal, in C, instead of tried at every position.
    not_in_a_word = rf"(?<![^\W\d_].{{{len(prefix)}}})"
    loose = re.compile(
        rf"{prefix}{not_in_a_word}{gap}(\d{{6}}){gap}{dash}{gap}(\d{{{digits}}})(?!\d)",
        re.IGNORECASE,
    )
    return strict, loose


def written_pattern(spec: Ticket) -> str:
    """The codes canonical() reads, as one regular expression in the syntax Python and
    JSON Schema share (for the OpenAPI document): any case, the dashes people type, a
    space at each joint; ASCII digits only, though other decimal digits are read too."""
    prefix = "".join(f"[{letter.upper()}{letter.lower()}]" for letter in spec.prefix)
    gap = "[ \\u00a0]?"
    dash = "[" + "".join(f"\\u{ord(ch):04x}" for ch in _DASHES) + "]"
    digits = spec.sequence_digits
    return f"^{prefix}{gap}[0-9]{{6}}{gap}{dash}{gap}[0-9]{{{digits}}}$"


def _ascii_digits(text: str) -> str:
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) for ch in text)


def canonical(written: str, spec: Ticket) -> str | None:
    """The canonical code for a written one, or None when it is not a ticket code at all."""
    _, loose = _patterns(spec.prefix, spec.sequence_digits)
    match = loose.fullmatch(written.strip())
    if not match:
        return None
    return f"{spec.prefix}{_ascii_digits(match[1])}-{_ascii_digits(match[2])}"


def find_tickets(text: str, spec: Ticket) -> list[TicketMention]:
    """Ticket codes in free text, tolerant of case, spaces, Unicode dashes and digits."""
    _, loose = _patterns(spec.prefix, spec.sequence_digits)
    found = []
    for match in loose.finditer(text):
        code = f"{spec.prefix}{_ascii_digits(match[1])}-{_ascii_digits(match[2])}"
        found.append(TicketMention(match[0], code, Span(match.start(), match.end())))
    return found


# Days are counted from this midnight in Vietnam (see _day_in_vietnam).
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=VIETNAM)
_EPOCH_ORDINAL = _EPOCH.date().toordinal()
_LAST_ORDINAL = dt.date.max.toordinal()
_ONE_DAY = dt.timedelta(days=1)


def _day_in_vietnam(moment: dt.datetime) -> dt.date:
    """The calendar day in Vietnam at `moment` (a moment without an offset is read as
    Vietnam time). Counted in whole days from an epoch and held within the calendar, for
    astimezone() overflows within a day of the years 1 and 9999: no moment can make it fail.
    """
    if moment.utcoffset() is None:
        return moment.date()
    ordinal = _EPOCH_ORDINAL + (moment - _EPOCH) // _ONE_DAY
    return dt.date.fromordinal(min(max(ordinal, 1), _LAST_ORDINAL))


def _opened_on(code: str) -> dt.date | None:
    yy, mm, dd = int(code[2:4]), int(code[4:6]), int(code[6:8])
    try:
        return dt.date(2000 + yy, mm, dd)
    except ValueError:
        return None


def check_ticket(
    mention: TicketMention,
    *,
    field: str,
    received_at: dt.datetime,
    stale_after_days: int,
    reference: Reference,
) -> list[Finding]:
    """Judge one code: well-formed, a real day, not in the future, not stale."""
    spec = reference.ticket
    sources = tuple(spec.sources)

    def finding(code: str, severity: Severity, **params: str) -> Finding:
        return Finding(
            code,
            severity,
            field,
            mention.written,
            sources,
            mention.span,
            params=tuple(sorted(params.items())),
        )

    strict, _ = _patterns(spec.prefix, spec.sequence_digits)
    if not strict.fullmatch(mention.code):
        return [finding("ticket.malformed", Severity.DANGER, format=spec.format)]
    opened = _opened_on(mention.code)
    if opened is None:
        return [finding("ticket.invalid_date", Severity.DANGER, date=mention.code[2:8])]
    received_day = _day_in_vietnam(received_at)
    if opened > received_day:
        return [
            finding(
                "ticket.future_date",
                Severity.DANGER,
                opened=f"{opened:%d/%m/%Y}",
                received=f"{received_day:%d/%m/%Y}",
            )
        ]
    age = (received_day - opened).days
    found = [finding("ticket.valid", Severity.INFO, opened=f"{opened:%d/%m/%Y}")]
    if age > stale_after_days:
        found.append(
            finding("ticket.stale", Severity.WARNING, days=str(age), limit=str(stale_after_days))
        )
    return found


def written_ticket(value: str, spec: Ticket) -> TicketMention:
    """A code typed in the ticket field: canonical if it reads as one, else as written."""
    code = canonical(value, spec)
    return TicketMention(value, code if code else value.strip().upper(), None)
