"""Phone numbers and extensions against the switchboard (34/KBKH-KTNN, 679/KBKH-KTNN)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

from app.findings import Finding, Severity, Span
from app.reference.models import Extensions, Reference
from app.validators.fold import fold, fold_plain

REGION = "VN"
MAX_PHONES_IN_TEXT = 50
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
    matcher = phonenumbers.PhoneNumberMatcher(
        text, REGION, leniency=phonenumbers.Leniency.POSSIBLE, max_tries=MAX_PHONES_IN_TEXT
    )
    for match in matcher:
        span = Span(match.start, match.end)
        found.append(_mention(match.raw_string, match.number, span))
    return found


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
    alternatives = "|".join(re.escape(k) for k in folded)
    return re.compile(rf"\b(?:{alternatives})\b[ .:#\-]{{0,3}}(\d{{3,6}})\b")


def find_extensions(text: str, spec: Extensions) -> list[ExtensionMention]:
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
