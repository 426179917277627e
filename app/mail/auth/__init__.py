"""Mail authentication for the gateway: SPF, DKIM, DMARC-style alignment, A-R header.

Pure library code (no web framework). All of it is synchronous and does DNS, so an async
caller runs `authenticate` in a worker thread. Typical use:

    resolver = Resolver(settings.dns_nameservers, timeout=settings.dns_timeout)  # once
    report = authenticate(raw, client_ip=ip, helo=helo, mail_from=mail_from,
                          from_domain=parsed.from_domain, resolver=resolver,
                          budget=settings.dns_budget)
    header = authentication_results(report, settings.authserv_id)
"""

from app.mail.auth.alignment import aligned, organizational_domain
from app.mail.auth.arheader import FIELD_NAME, authentication_results
from app.mail.auth.dkimcheck import verify_dkim
from app.mail.auth.dns import Deadline, DNSTempError, Resolver
from app.mail.auth.engine import authenticate
from app.mail.auth.results import AuthenticationReport, DKIMResult, DMARCResult, SPFResult
from app.mail.auth.spfcheck import check_spf

__all__ = [
    "FIELD_NAME",
    "AuthenticationReport",
    "DKIMResult",
    "DMARCResult",
    "DNSTempError",
    "Deadline",
    "Resolver",
    "SPFResult",
    "aligned",
    "authenticate",
    "authentication_results",
    "check_spf",
    "organizational_domain",
    "verify_dkim",
]
