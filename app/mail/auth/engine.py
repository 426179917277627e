"""One call that authenticates a message: every DKIM signature, SPF, then alignment.

Blocking (DNS): from async code run it with `anyio.to_thread.run_sync`. Lookups run in
order of value for the verdict: DKIM keys first (the only proof the service accepts), then
the DMARC record, then SPF, whose up to ten lookups are the likeliest to eat the budget.
"""

from __future__ import annotations

import time

from app.mail.auth.alignment import discover_policy, evaluate_alignment, normalise_domain
from app.mail.auth.dkimcheck import MAX_SIGNATURES, verify_dkim
from app.mail.auth.dns import Deadline, Resolver
from app.mail.auth.results import AuthenticationReport
from app.mail.auth.spfcheck import check_spf


def authenticate(
    raw: bytes,
    *,
    client_ip: str | None,
    helo: str | None,
    mail_from: str | None,
    from_domain: str | None,
    resolver: Resolver,
    budget: float | Deadline = 5.0,
    now: float | None = None,
    max_signatures: int = MAX_SIGNATURES,
) -> AuthenticationReport:
    """Authenticate `raw` (the message as received) within `budget` seconds of DNS.

    `from_domain` is the domain of the message's single From address (None when the message
    has no single From, which makes the DMARC-style result `permerror`). `now` fixes the
    clock for signature expiry, for tests.
    """
    deadline = budget if isinstance(budget, Deadline) else Deadline(budget)
    started = time.monotonic()
    dkim = verify_dkim(raw, resolver, deadline, now=now, max_signatures=max_signatures)
    domain = normalise_domain(from_domain or "") or None
    lookup = discover_policy(domain, resolver, deadline) if domain else None
    spf = check_spf(resolver, deadline, client_ip=client_ip, mail_from=mail_from, helo=helo)
    dmarc = evaluate_alignment(domain, spf, dkim, lookup)
    return AuthenticationReport(
        spf=spf,
        dkim=dkim,
        dmarc=dmarc,
        elapsed=time.monotonic() - started,
        dns_lookups=deadline.lookups,
        dns_queries=deadline.queries_sent,
        budget_exhausted=deadline.expired,
    )
