"""SPF (RFC 7208) with the maintained pyspf package, its DNS routed through our resolver.

pyspf does every lookup through its module-level function `spf.DNSLookup`. We replace it
once with a dispatcher that reads the resolver and deadline of the check running in the
current context (a ContextVar, so concurrent checks in other threads never mix); outside a
check the dispatcher falls back to pyspf's own lookup. pyspf keeps the RFC 7208 processing
limits: 10 DNS-querying terms, 2 void lookups, 10 MX and PTR names.
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging

import spf

from app.mail.auth.dns import Deadline, DNSTempError, Resolver
from app.mail.auth.results import SPFResult

log = logging.getLogger(__name__)

_ACTIVE: contextvars.ContextVar[tuple[Resolver, Deadline] | None] = contextvars.ContextVar(
    "thatgia_spf_resolver", default=None
)
_PYSPF_LOOKUP = spf.DNSLookup
# Result words of older SPF drafts that pyspf may still return.
_OLD_WORDS = {"unknown": "permerror", "error": "temperror", "ambiguous": "neutral"}


def _values(resolver: Resolver, name: str, qtype: str, deadline: Deadline) -> list[object]:
    """Answers in the shapes pyspf expects from its dnspython driver."""
    if qtype == "TXT":
        return list(resolver.txt(name, deadline))
    if qtype in ("A", "AAAA"):
        return list(resolver.addresses(name, qtype, deadline))
    if qtype == "MX":
        return list(resolver.mx(name, deadline))
    if qtype == "PTR":
        return list(resolver.ptr(name, deadline))
    return []  # type SPF (99) is obsolete (RFC 7208 §3.1)


def _dns_lookup(
    name: str, qtype: str, strict: object = True, timeout: object = None
) -> list[tuple[tuple[str, str], object]]:
    active = _ACTIVE.get()
    if active is None:
        return list(_PYSPF_LOOKUP(name, qtype, strict, timeout))
    resolver, deadline = active
    try:
        values = _values(resolver, name, qtype.upper(), deadline)
    except DNSTempError as exc:
        # A timeout or SERVFAIL is temperror, never fail or none (RFC 7208 §5).
        raise spf.TempError(f"DNS {exc}") from exc
    return [((name, qtype), value) for value in values]


spf.DNSLookup = _dns_lookup


class _Query(spf.query):  # type: ignore[misc]
    """pyspf's query, with RFC 7208 §5.5 applied to PTR validation."""

    def validated_ptrs(self) -> list[str]:
        # "If a DNS error occurs while doing an A RR lookup, then that domain name is
        # skipped and the search continues" (RFC 7208 §5.5); pyspf aborts with temperror.
        valid: list[str] = []
        for name in self.dns_ptr(self.i)[: spf.MAX_PTR]:
            try:
                if self.cidrmatch(self.dns_a(name, self.A), self.cidrmax):
                    valid.append(name)
            except spf.TempError:
                continue
        return valid


def _clean_sender(mail_from: str | None) -> str:
    sender = (mail_from or "").strip()
    if sender.startswith("<") and sender.endswith(">"):
        sender = sender[1:-1].strip()
    return sender


def _identity(sender: str, helo: str) -> tuple[str | None, str | None, str]:
    """(identity, domain, scope): MAIL FROM, or postmaster@HELO for the null sender."""
    if sender:
        domain = sender.rpartition("@")[2] if "@" in sender else sender
        return sender, domain.lower() or None, "mailfrom"
    if helo:
        return f"postmaster@{helo}", helo.lower(), "helo"
    return None, None, "mailfrom"


def check_spf(
    resolver: Resolver,
    deadline: Deadline,
    *,
    client_ip: str | None,
    mail_from: str | None,
    helo: str | None,
    strict: bool | int = True,
) -> SPFResult:
    """Check the envelope sender (or postmaster@`helo`) against `client_ip`."""
    sender, helo_name = _clean_sender(mail_from), (helo or "").strip()
    identity, domain, scope = _identity(sender, helo_name)
    if identity is None:
        return SPFResult("none", None, "no envelope sender and no HELO name", None, scope)
    try:
        ipaddress.ip_address((client_ip or "").strip())
    except ValueError:
        return SPFResult("none", domain, "no valid client IP address given", identity, scope)
    query = _Query(i=(client_ip or "").strip(), s=sender, h=helo_name, strict=strict)
    token = _ACTIVE.set((resolver, deadline))
    try:
        result, _code, explanation = query.check()
    except Exception as exc:  # a pyspf bug must not take the gateway down
        log.exception("SPF evaluation failed for %s", identity)
        return SPFResult("permerror", domain, f"SPF evaluation failed: {exc}", identity, scope)
    finally:
        _ACTIVE.reset(token)
    word = _OLD_WORDS.get(result, result)
    return SPFResult(word, domain, str(explanation), identity, scope)
