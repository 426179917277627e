"""Phone numbers and extensions against the switchboard (34/KBKH-KTNN, 679/KBKH-KTNN)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

import phonenumbers
from phonenumbers import (
    Leniency,
    NumberParseException,
    PhoneNumber,
    PhoneNumberFormat,
    PhoneNumberType,
)

from app.engine.findings import Finding, Severity, Span
from app.engine.reference.models import Extensions, Reference
from app.engine.validators.fold import Folded, fold, fold_plain

REGION = "VN"
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


@dataclass(frozen=True, slots=True)
class PhoneMention:
    written: str
    e164: str | None  # None when it cannot be parsed as a number at all
    span: Span | None
    number: PhoneNumber | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ExtensionMention:
    written: str
    digits: str
    span: Span | None


def _mention(written: str, number: PhoneNumber, span: Span | None) -> PhoneMention:
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return PhoneMention(written, e164, span, number)


def parse_phone(written: str, span: Span | None = None) -> PhoneMention:
    try:
        number = phonenumbers.parse(written, REGION)
    except NumberParseException:
        return PhoneMention(written, None, span)
    return _mention(written, number, span)


def find_phones(text: str) -> list[PhoneMention]:
    """Numbers in free text (the caller blanks out ranges already taken: codes, links)."""
    found = []
    windows = (w for w in _NUMBERISH.finditer(text) if _digit_count(w[0]) >= _MIN_DIGITS)
    for window in islice(windows, MAX_NUMBER_WINDOWS):
        for start, end, raw, number in _numbers_in(window[0]):
            found.append(_mention(raw, number, Span(window.start() + start, window.start() + end)))
    return found


# What any number phonenumbers' matcher finds is made of: its digits, its punctuation
# (phonenumberutil._VALID_PUNCTUATION), a leading plus or bracket, and ':' so that its rule
# against times ("2025-11-20 10:30") still sees the minutes. The matcher looks no further
# than its candidate, so run on each such window alone it finds what it finds in the text.
_LEAD = "+\uff0b([\uff08\uff3b"
_PUNCT = (
    "-xX\u2212\u30fc \u00a0\u00ad\u200b\u2060\u3000()\uff08\uff09\uff3b\uff3d.[]/~"
    "\u2053\u223c\uff5e:+\uff0b"
)
_PUNCT_RANGES = "\u2010-\u2015\uff0d-\uff0f"
_NUMBERISH = re.compile(f"[{re.escape(_LEAD)}\\d][{re.escape(_PUNCT)}{_PUNCT_RANGES}\\d]*\\d")
# No possible number has fewer digits: 4 national (Austria, Germany…) and a country code.
_MIN_DIGITS = 5
# A bound on the matcher's work in one text: a 20,000-character message holds ~1,000 at most.
MAX_NUMBER_WINDOWS = 1_000
# Windows repeat across messages (the switchboard, a campaign's number): each is parsed once.
_CACHED_WINDOW_CHARS = 64


def _digit_count(window: str) -> int:
    return sum(map(str.isdigit, window))


def _numbers_in(window: str) -> tuple[tuple[int, int, str, PhoneNumber], ...]:
    if len(window) <= _CACHED_WINDOW_CHARS:
        return _cached_numbers_in(window)
    return _match(window)


def _match(window: str) -> tuple[tuple[int, int, str, PhoneNumber], ...]:
    matcher = phonenumbers.PhoneNumberMatcher(window, REGION, leniency=Leniency.POSSIBLE)
    return tuple((m.start, m.end, m.raw_string, m.number) for m in matcher)


_cached_numbers_in = lru_cache(maxsize=4096)(_match)


def _national_digits(e164: str) -> str:
    return "0" + e164.removeprefix("+84") if e164.startswith("+84") else e164


def check_phone(mention: PhoneMention, *, field: str, reference: Reference) -> list[Finding]:
    board = reference.switchboard

    def finding(code: str, severity: Severity, sources: list[str], **params: str) -> Finding:
        params.setdefault("switchboard", board.display)
        return Finding(
            code,
            severity,
            field,
            mention.written,
            tuple(sources),
            mention.span,
            params=tuple(sorted(params.items())),
        )

    if mention.e164 is None or mention.number is None:
        return [finding("phone.invalid", Severity.WARNING, board.sources)]
    if mention.e164 == board.e164:
        return [finding("phone.switchboard", Severity.INFO, board.sources)]
    national = _national_digits(mention.e164)
    for misprint in reference.misprints:
        if national == misprint.number:
            return [
                finding("phone.misprint", Severity.DANGER, misprint.sources, where=misprint.where)
            ]
    kind = _kind(mention.e164)
    severity = Severity.WARNING if kind == "phone.invalid" else Severity.DANGER
    return [finding(kind, severity, board.sources)]


@lru_cache(maxsize=4096)
def _kind(e164: str) -> str:
    """Mobile, invalid or another number: pure metadata look-ups, worth remembering."""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.number_type(number) in _MOBILE_TYPES:
        return "phone.mobile"
    if not phonenumbers.is_valid_number(number):
        return "phone.invalid"
    return "phone.unofficial"


@lru_cache(maxsize=8)
def _extension_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    folded = sorted({fold_plain(k) for k in keywords}, key=len, reverse=True)
    # Each keyword, then a look back at what comes before it (a word boundary): opening
    # with the words rather than with \b lets the search skip to their first letters.
    alternatives = "|".join(rf"{re.escape(k)}(?<!\w.{{{len(k)}}})" for k in folded)
    return re.compile(rf"(?:{alternatives})\b[ .:#\-]{{0,3}}(\d{{3,6}})\b")


def find_extensions(
    text: str, spec: Extensions, folded: Folded | None = None
) -> list[ExtensionMention]:
    """Extensions in free text; `folded` is fold(text), when the caller has it already."""
    if folded is None:
        folded = fold(text)
    found = []
    for match in _extension_pattern(tuple(spec.keywords)).finditer(folded.text):
        digits_span = folded.span(match.start(1), match.end(1), text)
        found.append(
            ExtensionMention(text[digits_span.start : digits_span.end], match[1], digits_span)
        )
    return found


def check_extension(
    mention: ExtensionMention, *, field: str, reference: Reference
) -> list[Finding]:
    spec = reference.extensions
    listed = mention.digits in spec.listed
    return [
        Finding(
            "extension.listed" if listed else "extension.unlisted",
            Severity.INFO if listed else Severity.DANGER,
            field,
            mention.written,
            tuple(spec.sources),
            mention.span,
            params=(("listed", ", ".join(spec.listed)),),
        )
    ]
