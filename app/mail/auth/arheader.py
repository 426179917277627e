"""The Authentication-Results header field (RFC 8601) for an AuthenticationReport.

Every value comes from the message or the DNS, that is from whoever sent the mail, so each
one is reduced to printable ASCII and quoted when it is not a plain token: a crafted d= or
reason can never break the field or smuggle in another header line.
"""

from __future__ import annotations

import re

from app.mail.auth.results import AuthenticationReport, DKIMResult, DMARCResult, SPFResult

FIELD_NAME = "Authentication-Results"
_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+\-.^_`{|}~]+$")
_ADDRESS = re.compile(r"^[A-Za-z0-9!#$%&'*+\-./=?^_`{|}~]*@[A-Za-z0-9\-.]+$")
_MAX_VALUE = 200


def _printable(text: str) -> str:
    cleaned = "".join(c if " " <= c <= "~" else "?" for c in text)
    return cleaned[:_MAX_VALUE]


def _value(text: str, *, address: bool = False) -> str:
    """A token, an address (pvalue) or a quoted-string."""
    text = _printable(text)
    if _TOKEN.match(text) or (address and _ADDRESS.match(text)):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reason(text: str) -> str:
    return f" reason={_value(text)}" if text else ""


def _spf(spf: SPFResult) -> str:
    reason = _reason(spf.explanation) if spf.result not in ("pass", "none") else ""
    if spf.identity is None:
        return f"spf={spf.result}{reason}"
    prop = "smtp.helo" if spf.scope == "helo" else "smtp.mailfrom"
    identity = spf.domain if spf.scope == "helo" else spf.identity
    return f"spf={spf.result}{reason} {prop}={_value(identity or '', address=True)}"


def _dkim(sig: DKIMResult) -> str:
    reason = "" if sig.result == "pass" and sig.proof else _reason(sig.reason)
    props = [
        f"{name}={_value(value)}"
        for name, value in (
            ("header.d", sig.domain),
            ("header.s", sig.selector),
            ("header.a", sig.algorithm),
            ("header.b", sig.signature_prefix),
        )
        if value
    ]
    return " ".join([f"dkim={sig.result}{reason}", *props])


def _dmarc(dmarc: DMARCResult) -> str:
    comment = f" (p={dmarc.policy})" if dmarc.policy else ""
    reason = _reason(dmarc.reason) if dmarc.result in ("temperror", "permerror") else ""
    head = f"dmarc={dmarc.result}{reason}{comment}"
    if dmarc.from_domain:
        return f"{head} header.from={_value(dmarc.from_domain)}"
    return head


def authentication_results(report: AuthenticationReport, authserv_id: str) -> str:
    """The field body, one line (the caller prepends `Authentication-Results: `)."""
    parts = [_value(authserv_id or "localhost"), _spf(report.spf)]
    parts.extend(_dkim(sig) for sig in report.dkim)
    if not report.dkim:
        parts.append("dkim=none")
    parts.append(_dmarc(report.dmarc))
    return "; ".join(parts)
