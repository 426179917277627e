"""DMARC-style identifier alignment (RFC 7489 §3.1, §6.6).

The organisational domain comes from the Public Suffix List file shipped inside the
`publicsuffixlist` package (nothing is downloaded at run time). `gov.vn` is a public suffix,
so the organisational domain of `vst.gov.vn` is `vst.gov.vn` itself: a signature by another
`*.gov.vn` agency never aligns with it. Domains are compared label by label, never split on
hyphens, so `a@my-org.example` aligns with `d=mail.my-org.example` in relaxed mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publicsuffixlist import PublicSuffixList

from app.mail.auth.dns import Deadline, DNSTempError, Resolver
from app.mail.auth.results import DKIMResult, DMARCResult, SPFResult

_PSL = PublicSuffixList()
_VERSION = re.compile(r"^v\s*=\s*DMARC1\s*(;|$)")
_POLICIES = frozenset({"none", "quarantine", "reject"})


def normalise_domain(domain: str) -> str:
    """Lower-case A-label form without the final dot ("" when it cannot be encoded)."""
    text = domain.strip().rstrip(".").lower()
    try:
        return text.encode("idna").decode("ascii")
    except UnicodeError:
        return text if text.isascii() else ""


def organizational_domain(domain: str) -> str:
    """The registrable domain (public suffix + one label); a public suffix is its own."""
    name = normalise_domain(domain)
    return _PSL.privatesuffix(name) or name


def aligned(domain: str, from_domain: str, mode: str = "r") -> bool:
    """Strict: identical. Relaxed: same organisational domain (RFC 7489 §3.1.1)."""
    left, right = normalise_domain(domain), normalise_domain(from_domain)
    if not left or not right:
        return False
    if mode == "s":
        return left == right
    return organizational_domain(left) == organizational_domain(right)


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    """A parsed `_dmarc` record and where it was found."""

    domain: str
    policy: str
    subdomain_policy: str | None
    adkim: str = "r"
    aspf: str = "r"


@dataclass(frozen=True, slots=True)
class PolicyLookup:
    """Outcome of policy discovery: a record, none (with why), or a temporary error."""

    record: PolicyRecord | None
    reason: str
    temperror: bool = False


def parse_record(text: str, domain: str) -> PolicyRecord | None:
    """The record's policy, or None when it must be discarded (RFC 7489 §6.6.3 step 6)."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags.setdefault(key.strip().lower(), value.strip())
    policy = tags.get("p", "").lower()
    if policy not in _POLICIES:
        if not tags.get("rua"):
            return None
        policy = "none"  # a record with reporting but no valid p= acts as p=none
    sub = tags.get("sp", "").lower()
    return PolicyRecord(
        domain,
        policy,
        sub if sub in _POLICIES else None,
        "s" if tags.get("adkim", "").lower() == "s" else "r",
        "s" if tags.get("aspf", "").lower() == "s" else "r",
    )


def _records_at(domain: str, resolver: Resolver, deadline: Deadline) -> list[str]:
    texts = [
        b"".join(strings).decode("utf-8", "replace")
        for strings in resolver.txt(f"_dmarc.{domain}", deadline)
    ]
    return [t for t in texts if _VERSION.match(t)]


def discover_policy(from_domain: str, resolver: Resolver, deadline: Deadline) -> PolicyLookup:
    """The From domain's `_dmarc` record, else the organisational domain's (§6.6.3)."""
    org = organizational_domain(from_domain)
    candidates = [from_domain] if org == from_domain else [from_domain, org]
    try:
        for domain in candidates:
            records = _records_at(domain, resolver, deadline)
            if len(records) > 1:
                return PolicyLookup(None, f"{len(records)} DMARC records at _dmarc.{domain}")
            if records:
                record = parse_record(records[0], domain)
                if record is None:
                    return PolicyLookup(None, f"invalid DMARC record at _dmarc.{domain}")
                return PolicyLookup(record, f"record at _dmarc.{domain}")
    except DNSTempError as exc:
        return PolicyLookup(None, f"DMARC record lookup failed: {exc}", temperror=True)
    return PolicyLookup(None, "no DMARC record")


def _aligned_by(
    from_domain: str, spf: SPFResult, dkim: tuple[DKIMResult, ...], adkim: str, aspf: str
) -> tuple[str, ...]:
    methods: list[str] = []
    if any(sig.proof and aligned(sig.domain or "", from_domain, adkim) for sig in dkim):
        methods.append("dkim")
    if spf.result == "pass" and aligned(spf.domain or "", from_domain, aspf):
        methods.append("spf")
    return tuple(methods)


def evaluate_alignment(
    from_domain: str | None,
    spf: SPFResult,
    dkim: tuple[DKIMResult, ...],
    lookup: PolicyLookup | None,
) -> DMARCResult:
    """Combine SPF, DKIM and the discovered policy into the DMARC-style result."""
    domain = normalise_domain(from_domain or "")
    if not domain or lookup is None:
        return DMARCResult("permerror", None, None, reason="no single From domain")
    record = lookup.record
    adkim, aspf = (record.adkim, record.aspf) if record else ("r", "r")
    methods = _aligned_by(domain, spf, dkim, adkim, aspf)
    org = organizational_domain(domain)
    if lookup.temperror or record is None:
        result = "temperror" if lookup.temperror else "none"
        return DMARCResult(result, None, domain, methods, org, reason=lookup.reason)
    policy = record.policy
    if record.domain != domain and record.subdomain_policy:
        policy = record.subdomain_policy  # sp= governs sub-domains of the org domain
    return DMARCResult(
        "pass" if methods else "fail",
        policy,
        domain,
        methods,
        org,
        record.domain,
        adkim,
        aspf,
        lookup.reason if methods else "neither DKIM nor SPF passed aligned",
    )
