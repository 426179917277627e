"""Sender addresses: the official one, look-alikes, display-name spoofs (SPEC §5 sender.*)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import idna
from email_validator import EmailNotValidError, validate_email
from rapidfuzz.distance import Levenshtein

from app.engine.addresses import parse_address_list
from app.engine.findings import Finding, Severity, Span
from app.engine.reference.models import Reference
from app.engine.validators.confusables import skeleton

MAX_EDIT_DISTANCE = 2
_ADDRESS_IN_TEXT = re.compile(r"[^\s<>\"'(),;:@]+\s*(?:@|\(at\)|\[at\])\s*[^\s<>\"'(),;:@]+")


@dataclass(frozen=True, slots=True)
class ParsedSender:
    written: str
    display_name: str
    address: str  # as written, stripped
    normalized: str | None  # lower-case, IDNA-decoded; None when invalid
    span: Span | None


def parse_sender(written: str, span: Span | None = None) -> ParsedSender:
    """Split `Name <addr>` or a bare address, and normalise the address if it is valid."""
    name, address, normalized = _parse(written)
    return ParsedSender(written, name, address, normalized, span)


@lru_cache(maxsize=4096)
def _parse(written: str) -> tuple[str, str, str | None]:
    # The mail parser's own tokenizer, not email.utils: parseaddr reads
    # "hotrocntt@vst.gov.vn <evil@x>" as the official address, the reverse of what a mail
    # client would reply to. Pure and often repeated: worth remembering.
    found = parse_address_list(written.strip()).addresses
    name = found[0].display_name if found else ""
    address = found[0].address if found else written.strip()
    try:
        valid = validate_email(address, check_deliverability=False, allow_smtputf8=True)
        normalized: str | None = f"{valid.local_part}@{_unicode_domain(valid.domain)}".lower()
    except EmailNotValidError:
        normalized = None
    return name.strip(), address, normalized


def _unicode_domain(domain: str) -> str:
    try:
        return idna.decode(domain) if "xn--" in domain.lower() else domain
    except idna.IDNAError:
        return domain


def _domain_labels(domain: str) -> list[str]:
    return [label for label in re.split(r"[.\-_]", domain.lower()) if label]


def _embeds_official(domain: str, official: str) -> bool:
    """vst.gov.vn.example.com, vst-gov.vn, vstgov.com, vst.gov.com: the official name misused."""
    if domain == official or domain.endswith("." + official):
        return False
    squashed = "".join(_domain_labels(domain))
    official_core = "".join(_domain_labels(official)[:-1])  # "vstgov" without the TLD
    return official_core in squashed or official in domain


def is_official_domain(domain: str, ref: Reference) -> bool:
    domain = domain.lower().rstrip(".")
    return any(domain == d or domain.endswith("." + d) for d in ref.official_sender.domains)


def domain_lookalike_reason(domain: str, ref: Reference) -> str | None:
    """Why a domain that is not the Treasury's looks like it, or None."""
    official = ref.official_sender.domain
    domain = _unicode_domain(domain.lower().rstrip("."))
    if is_official_domain(domain, ref):
        return None
    look = skeleton(domain)
    if look == skeleton(official) or look.endswith("." + skeleton(official)):
        return "confusable"
    if 0 < Levenshtein.distance(domain, official) <= MAX_EDIT_DISTANCE:
        return "domain_edit"
    if _embeds_official(domain, official):
        return "domain_embedded"
    return None


def as_written(reason: str | None, written: str) -> str | None:
    """A look-alike that arrived IDNA-encoded (xn--) is a punycode trick, whatever it hides."""
    if reason in ("confusable", "domain_edit") and "xn--" in written.lower():
        return "punycode"
    return reason


def _lookalike_reason(address: str, ref: Reference) -> str | None:
    official = ref.official_sender
    local, _, domain = address.rpartition("@")
    if skeleton(address) == skeleton(official.address):
        return "confusable"
    reason = domain_lookalike_reason(domain, ref)
    if reason:
        return reason
    if is_official_domain(domain, ref):
        if 0 < Levenshtein.distance(local, official.local_part) <= MAX_EDIT_DISTANCE:
            return "local_edit"
        return None
    if Levenshtein.distance(skeleton(local), official.local_part) <= MAX_EDIT_DISTANCE:
        return "free_mail" if domain in ref.free_mail.domains else "other_domain"
    return None


def _display_name_spoof(parsed: ParsedSender) -> str | None:
    """An address shown beside the real one (display name, comments) that is another."""
    # Everything but the angle-bracketed real address: comments like "(at)" hide in there.
    shown_part = re.sub(r"<[^<>]*>\s*$", "", parsed.written.strip())
    if shown_part == parsed.written.strip():
        return None  # a bare address shows nothing else
    for match in _ADDRESS_IN_TEXT.finditer(shown_part):
        shown = re.sub(r"\s*(?:\(at\)|\[at\])\s*", "@", match[0]).strip().lower()
        if shown != (parsed.normalized or parsed.address.lower()):
            return match[0]
    return None


def check_sender(parsed: ParsedSender, *, field: str, reference: Reference) -> list[Finding]:
    official = reference.official_sender
    sources = tuple(official.sources)

    def finding(code: str, severity: Severity, **params: str) -> Finding:
        params.setdefault("official", official.address)
        return Finding(
            code,
            severity,
            field,
            parsed.written,
            sources,
            parsed.span,
            params=tuple(sorted(params.items())),
        )

    found: list[Finding] = []
    shown = _display_name_spoof(parsed)
    if shown is not None:
        found.append(
            finding(
                "sender.display_name_spoof", Severity.DANGER, shown=shown, actual=parsed.address
            )
        )
    if parsed.normalized is None:
        reason = _lookalike_reason(parsed.address.lower(), reference)
        if reason:
            return [
                *found,
                finding("sender.lookalike", Severity.DANGER, reason=reason, address=parsed.address),
            ]
        return [*found, finding("sender.invalid", Severity.WARNING, address=parsed.address)]
    if parsed.normalized == official.address.lower():
        return [*found, finding("sender.official", Severity.INFO, address=parsed.address)]
    reason = as_written(_lookalike_reason(parsed.normalized, reference), parsed.address)
    if reason:
        found.append(
            finding("sender.lookalike", Severity.DANGER, reason=reason, address=parsed.address)
        )
    else:
        found.append(finding("sender.unofficial", Severity.DANGER, address=parsed.address))
    return found
