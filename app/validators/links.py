"""Links in text: real support never sends links to click (34/KBKH-KTNN, 679/KBKH-KTNN)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import idna
from publicsuffixlist import PublicSuffixList

from app.findings import Finding, Severity, Span
from app.reference.models import Reference
from app.validators.sender import as_written, domain_lookalike_reason, is_official_domain
from app.validators.wordscan import matches_in_words

MAX_LINKS = 100
# Defanged dots as analysts and scammers write them: vst[.]gov[.]vn, kbnn(.)vn, x[dot]com
_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))"
_LABEL = r"[^\W_](?:[\w\-]{0,61}[^\W_])?"
_SCHEME = r"(?:(?:h[tx]{2}ps?|ftp)(?:\[:\]|:)//)"
_LINK = re.compile(
    rf"(?<![\w@.\-])(?P<scheme>{_SCHEME})?(?P<host>{_LABEL}(?:{_DOT}{_LABEL})+)"
    r"(?P<port>:\d{1,5})?(?P<path>[/?#][^\s<>\"'`]*)?",
    re.IGNORECASE,
)
# Every link has a label, a dot and a label without a space between (matches_in_words).
_LINKISH = re.compile(rf"(?<!\S)\S*?[^\W_]{_DOT}[^\W_]\S*", re.IGNORECASE)
_DEFANG = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.IGNORECASE)
_TRAILING = ".,;:!?)]}>'\"…"


@dataclass(frozen=True, slots=True)
class Link:
    written: str
    host: str  # refanged, lower case, Unicode (IDNA-decoded)
    url: str  # normalised: host + path, no scheme
    span: Span
    has_scheme: bool


@lru_cache(maxsize=1)
def public_suffixes() -> PublicSuffixList:
    # Shipped with the package: no download at run time.
    return PublicSuffixList(accept_unknown=False)


def registrable_domain(host: str) -> str:
    return public_suffixes().privatesuffix(host) or host


def _decode_host(host: str) -> str:
    try:
        return idna.decode(host) if "xn--" in host else host
    except idna.IDNAError:
        return host


def find_links(text: str) -> list[Link]:
    found: list[Link] = []
    for match in matches_in_words(_LINK, _LINKISH, text):
        written = match[0].rstrip(_TRAILING)
        host = _decode_host(_DEFANG.sub(".", match["host"]).lower())
        if not match["scheme"] and public_suffixes().publicsuffix(host) is None:
            continue  # file.txt, v.v, TP.HCM: not a domain (with a scheme, any host is a link)
        path = _DEFANG.sub(".", (match["path"] or "")).rstrip(_TRAILING)
        span = Span(match.start(), match.start() + len(written))
        found.append(Link(written, host, host + path, span, bool(match["scheme"])))
        if len(found) >= MAX_LINKS:
            break
    return found


def check_link(link: Link, *, reference: Reference) -> list[Finding]:
    if is_official_domain(link.host, reference):
        return []
    never = next(s for s in reference.never if s.code == "request.link")
    found = [
        Finding(
            "request.link",
            Severity.DANGER,
            "message",
            link.written,
            tuple(never.sources),
            link.span,
            params=(("host", link.host),),
        )
    ]
    reason = as_written(domain_lookalike_reason(link.host, reference), link.written)
    if reason:
        found.append(
            Finding(
                "sender.lookalike",
                Severity.DANGER,
                "message",
                link.written,
                tuple(reference.official_sender.sources),
                link.span,
                params=(
                    ("address", link.host),
                    ("official", reference.official_sender.domain),
                    ("reason", reason),
                ),
            )
        )
    return found
