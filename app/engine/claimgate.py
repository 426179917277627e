"""Whether the identifiers a message names count against it: only if it claims to be support.

A number, an address or a ticket code named in a text, or the address typed as the
sender of a pasted e-mail, says whom the message names, not who is contacting the reader:
a warning lists scam numbers and look-alike addresses, a colleague says which mobile
called her, a bank or a CA vendor writes from its own domain. Such a danger makes the
message an impersonation (SPEC §4) only when the message presents itself as support
contacting the reader: it asks for something (a request.* danger stands), or the learned
layer reads it as a scam (app.engine.learned: message score at least `claim_message`) and it
names no list of identifiers (`LISTED` or more: a warning's list of scam numbers). Otherwise
each becomes `identifier.unclaimed` (info): the identifier is still named, with what it
is, and what it would mean if someone used it as support's.

The number that called and the sender's look-alike address or a display name showing
the official one are claims by their shape: they are gated only in a message the learned
layer reads surely as no claim (message score below `disclaim_message`: a colleague's SMS
from her own mobile, a forward from a unit's mailbox) that asks for nothing. Gating them
at `claim_message` lost 19 scams of 1,390 for 5 genuine messages of 1,610; below
`disclaim_message` the cross-validation by author chooses how many scams may be lost
(app.engine.learned.crossval). Never gated: a ticket code typed as the claim's, the mail
gateway's authentication results, reports. With the rules alone (no learned layer)
nothing is gated.
"""

from __future__ import annotations

from app.engine.findings import Finding, Severity

UNCLAIMED = "identifier.unclaimed"
# Dangers about an identifier the text names (field "message").
_NAMED_IN_TEXT = frozenset(
    {
        "phone.mobile",
        "phone.unofficial",
        "phone.misprint",
        "extension.unlisted",
        "sender.unofficial",
        "sender.lookalike",
        "sender.display_name_spoof",
        "ticket.malformed",
        "ticket.invalid_date",
        "ticket.future_date",
    }
)
# Dangers about the sender typed beside the text (field "sender").
_TYPED_SENDER = frozenset({"sender.unofficial"})
# Dangers about the sender, number or extension typed beside the text that are claims by
# their shape (gated only in a disowned message), by field.
_SHAPED = {
    "sender": frozenset({"sender.lookalike", "sender.display_name_spoof"}),
    "phone": frozenset({"phone.mobile", "phone.unofficial", "phone.misprint"}),
    "extension": frozenset({"extension.unlisted"}),
}
# Distinct identifiers named in a text that make it a list. In the authors' sets, three or
# more phone numbers appear in 125 genuine messages (warnings, lists of scam numbers) and
# 14 scams, most of which ask for something and so still count.
LISTED = 3


def gated(finding: Finding) -> bool:
    """Whether the finding counts against a message only when it claims to be support."""
    if finding.severity != Severity.DANGER:
        return False
    if finding.field == "message":
        return finding.code in _NAMED_IN_TEXT
    return finding.field == "sender" and finding.code in _TYPED_SENDER


def shaped(finding: Finding) -> bool:
    """Whether the finding counts against a message only unless it is disowned."""
    return finding.severity == Severity.DANGER and finding.code in _SHAPED.get(
        finding.field, frozenset()
    )


def asks(findings: list[Finding]) -> bool:
    return any(f.code.startswith("request.") and f.severity == Severity.DANGER for f in findings)


def unclaimed(finding: Finding) -> Finding:
    """The finding as a named identifier: info, its code kept in `as` for the explanation."""
    return Finding(
        UNCLAIMED,
        Severity.INFO,
        finding.field,
        finding.evidence,
        finding.sources,
        finding.span,
        params=(("as", finding.code), *finding.params),
    )


def listed(findings: list[Finding]) -> bool:
    """Whether the text names identifiers as a list does: a warning lists the scam numbers
    and addresses it knows, while someone posing as support gives one or two to answer."""
    named = {f.evidence for f in findings if f.field == "message" and gated(f)}
    return len(named) >= LISTED


def apply(findings: list[Finding], reads_as_claim: bool, disowned: bool = False) -> list[Finding]:
    """The findings, the gated ones made `identifier.unclaimed` unless the message claims
    to be support: it asks for something, or it reads as a claim and is no list; in a
    disowned message that asks for nothing, the shaped ones too."""
    if asks(findings) or (reads_as_claim and not listed(findings)):
        return findings
    return [unclaimed(f) if gated(f) or (disowned and shaped(f)) else f for f in findings]
