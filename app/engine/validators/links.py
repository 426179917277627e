"""Links in text: real support never sends links to click (34/KBKH-KTNN, 679/KBKH-KTNN)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import idna
from publicsuffixlist import PublicSuffixList

from app.engine.findings import Finding, Severity, Span
from app.engine.reference.models import Reference
from app.engine.validators.sender import as_written, domain_lookalike_reason, is_official_domain

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
# Every link has a label, a dot and a label with no space between: links are looked for
# only in the words (runs of non-space) that hold one (dotted_words).
_DOT_BEFORE_LABEL = re.compile(rf"{_DOT}(?=[^\W_])", re.IGNORECASE)
_LABEL_CHAR = re.compile(r"[^\W_]")
_SPACE = re.compile(r"\s")
_SPACE_BUT_BLANK = re.compile(r"[^\S ]")
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


# Hosts recur across messages (a campaign's domain, the Treasury's own): each is looked
# up in the list once.
@lru_cache(maxsize=4096)
def public_suffix(host: str) -> str | None:
    suffix: str | None = public_suffixes().publicsuffix(host)
    return suffix


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    return public_suffixes().privatesuffix(host) or host


def _decode_host(host: str) -> str:
    try:
        return idna.decode(host) if "xn--" in host else host
    except idna.IDNAError:
        return host


def _word_start(text: str, lo: int, at: int) -> int:
    """Where the word holding `at` starts, looking back no further than `lo`."""
    start = text.rfind(" ", lo, at) + 1 or lo
    for space in _SPACE_BUT_BLANK.finditer(text, start, at):  # a tab, a newline, …
        start = space.end()
    return start


def dotted_words(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of non-space characters that holds a letter or digit, a
    dot (plain or defanged) and another: found from the dots, which are few, rather than
    by a pattern tried at every position of the text.

    What it buys (README, Performance): with _LINK.finditer over the whole text instead,
    find_links costs 0.86 M more instructions a check, 12 % of the 6.93 M of POST
    /v1/check (callgrind, compiled engine, 150 checks). tests/validators/test_links.py
    holds the words to a pattern of them, and the links to those of the plain search."""
    end = at = 0
    while (dot := _DOT_BEFORE_LABEL.search(text, at)) is not None:
        if dot.start() == 0 or not _LABEL_CHAR.match(text, dot.start() - 1):
            at = dot.start() + 1
            continue
        start = _word_start(text, end, dot.start())
        space = _SPACE.search(text, dot.end())
        end = at = space.start() if space else len(text)
        yield start, end


def find_links(text: str) -> list[Link]:
    return links_of(
        m for start, end in dotted_words(text) for m in _LINK.finditer(text, start, end)
    )


def links_of(matches: Iterable[re.Match[str]]) -> list[Link]:
    """The links of matches of _LINK, in order (the plain search: _LINK.finditer(text))."""
    found: list[Link] = []
    for match in matches:
        written = match[0].rstrip(_TRAILING)
        host = _decode_host(_DEFANG.sub(".", match["host"]).lower())
        if not match["scheme"] and public_suffix(host) is None:
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
