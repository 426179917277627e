"""Masking secrets out of a message before it is written to the audit log.

What is masked: the value after a word for a secret (PIN, password, OTP, "mk", "pass",
…: always when a "là", ":" or "=" introduces it, else only when it holds a digit) and
every run of six or more digits (OTPs, account and ID numbers, phone numbers). Ticket
codes stay: they are not secrets, and the log is read to follow up on them. Masking keeps
the length, so offsets into an excerpt are offsets into the original message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.engine.findings import Span, cover_spans
from app.engine.reference.models import Reference
from app.engine.validators.fold import Folded, fold
from app.engine.validators.ticket import find_tickets

MASK = "•"
EXCERPT_CHARS = 500

# Matched on folded text (lower case, no diacritics), so "Mật khẩu", "mat khau" and NFD
# input are the same. Redaction vocabulary, not a published fact.
_SECRET_WORD = (
    r"ma\s*pin|pin(?:\s*(?:token|usb))?|mat\s*khau|mk|pass(?:word|wd)?|pwd?"
    r"|otp|ma\s*(?:xac\s*(?:thuc|nhan|minh)|kich\s*hoat|bi\s*mat|dang\s*nhap)"
    r"|verification\s*code|security\s*code|confirmation\s*code|sms\s*code"
)
_INTRO = r"(?:\s*(?:cua\s*\w+|moi|hien\s*tai|mac\s*dinh))?\s*(?:[:=]|\bla\b|\bis\b)"
# A secret word, not after a letter ("apin" is no PIN), then its value.
SECRET = re.compile(
    rf"(?<![^\W\d_])(?:{_SECRET_WORD})(?![^\W\d_])"
    rf"(?P<intro>{_INTRO})?\s*(?P<value>[^\s,;]{{1,64}})"
)
_NOT_SPACE = re.compile(r"\S")
_LONG_DIGITS = re.compile(r"\d(?:[ .\-]?\d){5,}")


def _secret_spans(text: str, folded: Folded) -> list[Span]:
    spans = []
    for match in SECRET.finditer(folded.text):
        value = match["value"]
        if match["intro"] or any(ch.isdigit() for ch in value):
            spans.append(folded.span(match.start("value"), match.end("value"), text))
    return spans


def _digit_spans(text: str, keep: Sequence[Span]) -> list[Span]:
    spans = []
    for match in _LONG_DIGITS.finditer(text):
        inside_kept = any(k.start <= match.start() and match.end() <= k.end for k in keep)
        if not inside_kept:
            spans.append(Span(match.start(), match.end()))
    return spans


def redact(
    text: str,
    reference: Reference,
    *,
    folded: Folded | None = None,
    tickets: Sequence[Span] | None = None,
) -> str:
    """The text with secrets and long digit strings masked, same length. `folded` and
    `tickets` (the ticket codes' spans) are the text's, when the caller has them."""
    if tickets is None:
        tickets = [t.span for t in find_tickets(text, reference.ticket) if t.span]
    # Spans may overlap (a secret of digits is also a long number): cover_spans masks once.
    spans = _secret_spans(text, folded or fold(text)) + _digit_spans(text, tickets)
    return cover_spans(text, spans, lambda secret: _NOT_SPACE.sub(MASK, secret))


def excerpt(
    text: str,
    reference: Reference,
    limit: int = EXCERPT_CHARS,
    *,
    folded: Folded | None = None,
    tickets: Sequence[Span] | None = None,
) -> str:
    """The redacted beginning of a message, as the audit log keeps it; `folded` and
    `tickets` are the whole message's, from its extraction (app.engine.extract)."""
    # Redact a little beyond the cut so a secret straddling it is still recognised.
    cut = text[: limit + 80]
    return redact(
        cut,
        reference,
        folded=folded.prefix(len(cut)) if folded else None,
        tickets=[s for s in tickets if s.start < len(cut)] if tickets is not None else None,
    )[:limit]
