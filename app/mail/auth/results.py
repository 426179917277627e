"""What mail authentication found, as plain immutable data (no I/O, no framework)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# RFC 8601 result words for each method.
SPF_RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")
DKIM_RESULTS = ("pass", "fail", "policy", "neutral", "none", "temperror", "permerror")
DMARC_RESULTS = ("pass", "fail", "none", "temperror", "permerror")


@dataclass(frozen=True, slots=True)
class SPFResult:
    """RFC 7208 check of `identity` (MAIL FROM, or postmaster@HELO) at the client IP.

    `domain` is the domain checked (the one DMARC aligns); `scope` is `mailfrom` or `helo`.
    """

    result: str
    domain: str | None
    explanation: str
    identity: str | None = None
    scope: str = "mailfrom"


@dataclass(frozen=True, slots=True)
class DKIMResult:
    """One DKIM-Signature header field, verified (RFC 6376, 8301, 8463).

    `proof` is True only for a pass that covers the whole body and the From field: a pass
    with `l=` shorter than the body verifies, but the unsigned tail could say anything, so
    alignment must not rely on it.
    """

    result: str
    domain: str | None
    selector: str | None
    algorithm: str | None
    reason: str
    proof: bool = False
    body_length: int | None = None  # the l= value, when present
    signature_prefix: str | None = None  # first characters of b=, for header.b (RFC 6008)


@dataclass(frozen=True, slots=True)
class DMARCResult:
    """RFC 7489 identifier alignment of SPF and DKIM with the From domain.

    `aligned_by` lists the methods (`dkim`, `spf`) whose pass aligns with `from_domain`; it is
    computed even when the domain publishes no record (`result` is then `none`), because
    the caller's own rule, not the domain owner's, decides what counts as proof.
    """

    result: str
    policy: str | None
    from_domain: str | None
    aligned_by: tuple[str, ...] = ()
    org_domain: str | None = None
    record_domain: str | None = None
    adkim: str = "r"
    aspf: str = "r"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AuthenticationReport:
    """Everything `authenticate()` found for one message."""

    spf: SPFResult
    dkim: tuple[DKIMResult, ...]
    dmarc: DMARCResult
    elapsed: float = 0.0
    dns_lookups: int = 0
    dns_queries: int = 0
    budget_exhausted: bool = False

    def aligned_with(self, domain: str) -> bool:
        """True when a DKIM proof or an SPF pass aligns with `domain` (the From domain)."""
        return bool(self.dmarc.aligned_by) and (self.dmarc.from_domain or "") == domain.lower()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the API: spf, dkim[], dmarc (SPEC §6)."""
        return {
            "spf": {k: getattr(self.spf, k) for k in ("result", "domain", "explanation")},
            "dkim": [
                {
                    k: getattr(sig, k)
                    for k in ("result", "domain", "selector", "algorithm", "reason", "proof")
                }
                for sig in self.dkim
            ],
            "dmarc": {
                k: list(v) if isinstance(v, tuple) else v
                for k, v in asdict(self.dmarc).items()
                if k in ("result", "policy", "from_domain", "aligned_by")
            },
        }
